"""The forms of the account pages (Django's own log-in and password views), wired to the
account services so a password changes one way whatever the door: the API token revoked,
other sessions ended, wrong current passwords counted toward the lockout."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import User

from accounts.services import password_change, password_reset_request, password_set
from config.errors import DomainError


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The current password is checked by accounts.services.password_change (through the
    lockout), when the form is saved; its refusal becomes the field's error."""

    def __init__(self, user: User, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        return self.cleaned_data["old_password"]  # checked by the service, in save()

    def save(self, commit=True):
        try:
            password_change(
                user=self.user,
                old_password=self.cleaned_data["old_password"],
                new_password=self.cleaned_data["new_password1"],
                request=self.request,
            )
        except DomainError as error:
            field = next(iter(error.extra.get("fields", {})), None)
            target = "old_password" if field == "old_password" else None
            if field == "new_password":
                target = "new_password2"
            self.add_error(target, error.message)
            raise
        return self.user


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The reset link's page: accounts.services.password_set."""

    def save(self, commit=True):
        password_set(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user


class PasswordResetForm(forms.Form):
    """Ask for a reset link: sent off the request by accounts.services."""

    email = forms.EmailField(max_length=254, label="E-mail")

    def save(self, *, origin: str) -> None:
        password_reset_request(email=self.cleaned_data["email"], origin=origin)
