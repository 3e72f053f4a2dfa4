"""The admin's user pages, through the account services: a member's password is set or
turned off so that the API token is revoked and the member's sessions end as with every other
change (the admin's own "Change password" is the site's page: config/urls.py), and a user name
follows sign-up's rule."""

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

from accounts.member_version import member_changed
from accounts.services import password_disable, password_set, username_check
from config.errors import DomainError


class UsernameRule:
    """A user form's username, checked by the account services (sign-up's rule)."""

    instance: object

    def clean_username(self):
        username = self.cleaned_data.get("username")  # type: ignore[attr-defined]
        try:
            username_check(username=username, user=self.instance)
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
        return username


class MemberCreationForm(UsernameRule, auth_forms.AdminUserCreationForm):
    pass


class MemberChangeForm(UsernameRule, auth_forms.UserChangeForm):
    pass


class MemberPasswordForm(auth_forms.AdminPasswordChangeForm):
    def set_password_and_save(self, user, commit=True, **kwargs):
        if self.cleaned_data["set_usable_password"]:
            password_set(user=user, new_password=self.cleaned_data["password1"])
        else:
            password_disable(user=user)
        return user


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class MemberAdmin(auth_admin.UserAdmin):
    change_password_form = MemberPasswordForm
    add_form = MemberCreationForm
    form = MemberChangeForm

    # A member's row, roles or active flag changed here are read again by every process
    # (accounts.member_version), as when a service changes them.
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        member_changed(form.instance.pk)

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        member_changed(pk)

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        for pk in pks:
            member_changed(pk)
