"""The one domain error that services raise; the API turns it into an HTTP answer."""


class DomainError(Exception):
    """A rule of the domain refused an action. `message` is one sentence for the user."""

    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra or {}
