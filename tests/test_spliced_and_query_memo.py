"""config.spliced (a body rendered once, with holes for each reader's values) and
config.api.inputs.validated_query (a query string's validation read once per process)."""

from __future__ import annotations

import json

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from config.api import inputs
from config.spliced import SplicedBody, hole
from curation.api.serializers import PaperListInputSerializer, ThreadInputSerializer


def test_a_body_cut_at_its_holes_is_filled_with_each_reader_s_values():
    payload = {
        "results": [
            {"id": 7, "title": 'A "quoted" title', "voted": hole("voted", 0), "n": 1},
            {"id": 9, "title": "hole:other", "voted": hole("voted", 1), "m": hole("marks", 1)},
        ]
    }
    body = SplicedBody.cut(json.dumps(payload, separators=(",", ":")).encode())
    assert body.holes == (("voted", 0), ("voted", 1), ("marks", 1))
    filled = json.loads(body.fill(lambda name, index: b"true" if index else b'["read"]'))
    assert filled["results"][0]["voted"] == ["read"]
    assert filled["results"][1] == {"id": 9, "title": "hole:other", "voted": True, "m": True}
    assert SplicedBody.cut(b'{"a":1}').fill(lambda name, index: b"x") == b'{"a":1}'


def test_a_valid_query_string_is_judged_once_and_each_caller_gets_its_own_lists(monkeypatch):
    calls = []
    real = PaperListInputSerializer.is_valid

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PaperListInputSerializer, "is_valid", counted)
    monkeypatch.setattr(inputs, "_query_memo", type(inputs._query_memo)())
    first = inputs.validated_query(PaperListInputSerializer, QueryDict("tag=nlp&tag=cv&order=new"))
    first["tag"].append("changed")
    again = inputs.validated_query(PaperListInputSerializer, QueryDict("order=new&tag=nlp&tag=cv"))
    assert again["tag"] == ["nlp", "cv"] and again["order"] == "new"
    assert len(calls) == 1
    # The same string for another serializer is judged by that one.
    assert "order" not in inputs.validated_query(ThreadInputSerializer, QueryDict("order=new"))


def test_an_invalid_query_string_is_refused_each_time_and_never_kept():
    for _ in range(2):
        with pytest.raises(ValidationError) as raised:
            inputs.validated_query(PaperListInputSerializer, QueryDict("order=sideways"))
        assert "order" in raised.value.detail


def test_the_memo_keeps_at_most_its_size(monkeypatch):
    monkeypatch.setattr(inputs, "QUERY_MEMO_SIZE", 3)
    monkeypatch.setattr(inputs, "_query_memo", type(inputs._query_memo)())
    for size in range(1, 8):
        inputs.validated_query(PaperListInputSerializer, QueryDict(f"page_size={size}"))
    assert len(inputs._query_memo) == 3
