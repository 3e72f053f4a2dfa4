"""Django's password pages (/accounts/...) with the account services behind their forms
(accounts.forms); the pages themselves are the site's templates (registration/*)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from accounts.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from config.errors import DomainError


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        try:
            return super().form_valid(form)  # saves through the service, keeps this session
        except DomainError:
            return self.form_invalid(form)  # the form holds the service's sentence


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm

    def form_valid(self, form):
        form.save(origin=self.request.build_absolute_uri("/"))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
