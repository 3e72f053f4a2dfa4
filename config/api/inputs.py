"""Input bodies that refuse what they do not know.

DRF drops a body's unknown keys without a word: a client that misspells a field, or still
sends an old name after a rename, believes it was heard. A StrictInputSerializer answers 400
instead, with `fields` naming each unknown key (config.api.errors gives it the API's error
shape), and the schema says so (`additionalProperties: false`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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


# --- Query strings read again --------------------------------------------------------------
# A query string's validation depends on nothing but the string (the serializers of the
# lists read no database and no clock), yet costs a list page a millisecond of CPU: DRF copies
# every declared field of the serializer (copy.deepcopy) before it reads one. The pages a team
# reads are few (the feeds, a few tags, the next pages), so their validated values are kept
# per process, QUERY_MEMO_SIZE at most, the least recently used dropped first. Only valid
# query strings are kept: an invalid one is judged each time and answers its 400.
QUERY_MEMO_SIZE = 1024
_query_memo: OrderedDict[tuple, dict] = OrderedDict()
_query_memo_lock = threading.Lock()  # gunicorn's threads share it


def validated_query(serializer_class: type[serializers.Serializer], query_params) -> dict:
    """`serializer_class(data=query_params)`'s validated data (ValidationError, a 400, when
    invalid), read once per process for each query string. Its lists are copies: a caller may
    change what it gets."""
    key = (
        serializer_class,
        tuple(sorted((name, tuple(values)) for name, values in query_params.lists())),
    )
    with _query_memo_lock:
        kept = _query_memo.get(key)
        if kept is not None:
            _query_memo.move_to_end(key)
    if kept is None:
        params = serializer_class(data=query_params)
        params.is_valid(raise_exception=True)
        kept = dict(params.validated_data)
        with _query_memo_lock:
            _query_memo[key] = kept
            if len(_query_memo) > QUERY_MEMO_SIZE:
                _query_memo.popitem(last=False)
    return {name: list(value) if isinstance(value, list) else value for name, value in kept.items()}
