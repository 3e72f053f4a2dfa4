"""Accounts API: plain input serializers, and output serializers for answers and the schema."""

from rest_framework import serializers

from config.api.inputs import StrictInputSerializer

# Long enough for any passphrase, short enough that nobody makes the server hash megabytes.
PASSWORD_MAX_LENGTH = 4096


def _password(**kwargs):
    return serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        style={"input_type": "password"},
        write_only=True,
        **kwargs,
    )


# --- Input --------------------------------------------------------------------------------


class SignupInputSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = _password()


class LoginInputSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    password = _password()


class PasswordChangeInputSerializer(StrictInputSerializer):
    old_password = _password()
    new_password = _password()


class PasswordResetInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(StrictInputSerializer):
    uid = serializers.CharField(max_length=64, help_text="The `uid` part of the e-mailed link.")
    token = serializers.CharField(
        max_length=128, help_text="The `token` part of the e-mailed link."
    )
    new_password = _password()


# --- Output -------------------------------------------------------------------------------


class CsrfOutputSerializer(serializers.Serializer):
    csrf_token = serializers.CharField(
        help_text="Send it back in the X-CSRFToken header of session-authenticated writes."
    )


class MessageOutputSerializer(serializers.Serializer):
    message = serializers.CharField()


class RolesOutputSerializer(serializers.Serializer):
    member = serializers.BooleanField()
    moderator = serializers.BooleanField()
    admin = serializers.BooleanField()


class TokenSummaryOutputSerializer(serializers.Serializer):
    """The personal API token, without its secret, which is shown only once."""

    exists = serializers.BooleanField()
    prefix = serializers.CharField(
        allow_null=True, help_text="The first characters of the token, to recognize it."
    )
    created_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="null: never.")
    last_used_at = serializers.DateTimeField(
        allow_null=True, help_text="To the minute; null if unused (or not since a cache reset)."
    )


class TokenCreatedOutputSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="The secret: send `Authorization: Token <token>`. It is never shown again."
    )
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    rotated = serializers.BooleanField(help_text="True when it replaced an older token.")


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    date_joined = serializers.DateTimeField()
    roles = RolesOutputSerializer()
    token = TokenSummaryOutputSerializer()
