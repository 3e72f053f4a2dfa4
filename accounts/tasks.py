"""Celery tasks of the accounts app: thin doors into accounts.services."""

from celery import shared_task

from accounts.services import password_reset_send


@shared_task(acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=10)
def send_password_reset(email: str, origin: str) -> None:
    """The reset e-mail, sent by a worker (OSError: the mail server could not be reached)."""
    password_reset_send(email=email, origin=origin)
