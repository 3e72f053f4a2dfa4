"""The OpenAPI schema generates without a warning, validates, and the docs render."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

CURATION_PATHS = {
    "/api/papers/": {"get", "post"},
    "/api/papers/export/": {"get"},
    "/api/papers/{id}/": {"get"},
    "/api/papers/{id}/citation/": {"get"},
    "/api/papers/{id}/vote/": {"post", "delete"},
    "/api/papers/{id}/transition/": {"post"},
    "/api/papers/transition/": {"post"},
    "/api/papers/{id}/comments/": {"get", "post"},
    "/api/papers/{id}/tags/": {"post", "delete"},
    "/api/papers/{id}/mark/": {"post", "delete"},
    "/api/me/settings/": {"get", "patch"},
    "/api/comments/{id}/": {"patch", "delete"},
    "/api/comments/{id}/flag/": {"post"},
    "/api/comments/{id}/moderate/": {"post"},
    "/api/tags/": {"get", "post"},
    "/api/tags/{slug}/": {"patch", "delete"},
    "/api/tags/{slug}/merge/": {"post"},
    "/api/moderation/queue/": {"get"},
    "/api/moderation/log/": {"get"},
    "/api/digests/": {"get"},
}
LISTS_PATHS = {
    "/api/lists/": {"get", "post"},
    "/api/lists/{id}/": {"get", "patch", "delete"},
    "/api/lists/{id}/items/": {"get", "post"},
    "/api/lists/{id}/items/{item_pk}/": {"patch", "delete"},
    "/api/lists/{id}/editors/": {"get", "post"},
    "/api/lists/{id}/editors/{username}/": {"delete"},
}


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    for path, methods in {**CURATION_PATHS, **LISTS_PATHS}.items():
        assert path in schema["paths"], path
        assert set(schema["paths"][path]) >= methods, path
    params = {p["name"] for p in schema["paths"]["/api/papers/"]["get"]["parameters"]}
    assert params >= {
        "order",
        "period",
        "tag",
        "match",
        "status",
        "digest",
        "date",
        "q",
        "cursor",
        "page_size",
        "page",
    }
    export = schema["paths"]["/api/papers/export/"]["get"]
    formats = next(p for p in export["parameters"] if p["name"] == "format")["schema"]["enum"]
    assert formats == ["csv", "jsonl", "bibtex", "ris"]
    assert set(export["responses"]["200"]["content"]) == {
        "text/csv",
        "application/x-ndjson",
        "application/x-bibtex",
        "application/x-research-info-systems",
    }
    citation = schema["paths"]["/api/papers/{id}/citation/"]["get"]
    assert set(citation["responses"]["200"]["content"]) == {
        "application/x-bibtex",
        "application/x-research-info-systems",
    }
    assert set(citation["responses"]) >= {"200", "400", "404"}


def test_a_submission_is_named_as_a_paper_and_takes_no_other_field(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    components = schema["components"]["schemas"]
    body = schema["paths"]["/api/papers/"]["post"]["requestBody"]["content"]["application/json"]
    submit = components[body["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(submit["properties"]) == {"arxiv_id", "title", "abstract"}
    assert submit["additionalProperties"] is False
    assert set(submit["properties"]) <= set(components["PaperDetailOutput"]["properties"])
    assert "400" in schema["paths"]["/api/papers/"]["post"]["responses"]


def test_a_bulk_transition_takes_a_single_moves_fields_and_a_bounded_list_of_ids(tmp_path):
    from config.cursors import MAX_ID
    from curation.api.serializers import BULK_TRANSITION_MAX_PAPERS

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    components = schema["components"]["schemas"]

    def component(ref: dict) -> dict:
        return components[ref["$ref"].rsplit("/", 1)[1]]

    def body(path: str) -> dict:
        content = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        return component(content["schema"])

    bulk, single = body("/api/papers/transition/"), body("/api/papers/{id}/transition/")
    assert set(bulk["properties"]) == {"paper_ids", *single["properties"]}
    for name in single["properties"]:
        assert bulk["properties"][name] == single["properties"][name], name
    assert set(bulk["required"]) == {"paper_ids", "to_state"}
    assert bulk["additionalProperties"] is False
    ids = bulk["properties"]["paper_ids"]
    assert (ids["minItems"], ids["maxItems"], ids["uniqueItems"]) == (
        1,
        BULK_TRANSITION_MAX_PAPERS,
        True,
    )
    assert (ids["items"]["type"], ids["items"]["minimum"], ids["items"]["maximum"]) == (
        "integer",
        1,
        MAX_ID,
    )

    operation = schema["paths"]["/api/papers/transition/"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "415", "429"}
    answer = component(operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(answer["properties"]) == set(answer["required"]) == {"moved", "refused"}
    moved = component(answer["properties"]["moved"]["items"])
    refused = component(answer["properties"]["refused"]["items"])
    assert set(moved["properties"]) == {"id", "status"}
    assert set(refused["properties"]) == {"id", "message"}


def test_papers_show_the_sources_figures_apart_from_ours(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out))
    schemas = yaml.safe_load(out.read_text())["components"]["schemas"]

    source = schemas["PaperSourceOutput"]
    assert set(source["properties"]) == {
        "upvotes",
        "comment_count",
        "github_repo",
        "github_stars",
        "project_page",
        "thumbnail_url",
        "ai_summary",
        "ai_keywords",
        "organization",
        "submitted_by",
    }
    assert set(source["required"]) == set(source["properties"])
    assert source["properties"]["ai_keywords"]["type"] == "array"
    nullable = {name for name, spec in source["properties"].items() if spec.get("nullable")}
    assert nullable == set(source["properties"]) - {"ai_keywords"}
    for paper in ("PaperDetailOutput", "PaperListItemOutput"):
        assert schemas[paper]["properties"]["source"]["allOf"] == [
            {"$ref": "#/components/schemas/PaperSourceOutput"}
        ]
        assert "source" in schemas[paper]["required"]
        assert {"vote_count", "comment_count"} <= set(schemas[paper]["properties"])


def test_the_docs_render(client):
    assert client.get("/api/docs/").status_code == 200
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/papers/{id}/vote/" in response.content
