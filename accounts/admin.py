"""The admin's user pages: a member's password is set or turned off through the account
services, so the API token is revoked and the member's sessions end as with every other
change. (The admin's own "Change password" is the site's page: config/urls.py.)"""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

from accounts.services import password_disable, password_set


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
