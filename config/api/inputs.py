"""Input bodies that refuse what they do not know.

DRF drops a body's unknown keys without a word: a client that misspells a field, or still
sends an old name after a rename, believes it was heard. A StrictInputSerializer answers 400
instead, with `fields` naming each unknown key (config.api.errors gives it the API's error
shape), and the schema says so (`additionalProperties: false`).
"""

from __future__ import annotations

from collections.abc import Mapping

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

MSG_UNKNOWN_FIELD = "“{name}” is not a field of this request."


class StrictInputSerializer(serializers.Serializer):
    """A plain input Serializer whose unknown keys are a validation error."""

    def to_internal_value(self, data):
        unknown = []
        if isinstance(data, Mapping):
            unknown = [name for name in data if name not in self.fields]
        errors: dict = {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not unknown or not isinstance(exc.detail, Mapping):
                raise
            errors.update(exc.detail)
        for name in unknown:
            errors[name] = [MSG_UNKNOWN_FIELD.format(name=name)]
        if errors:
            raise serializers.ValidationError(errors)
        return value


class StrictInputSerializerSchema(OpenApiSerializerExtension):
    target_class = StrictInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}
