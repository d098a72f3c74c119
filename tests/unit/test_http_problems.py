"""One error shape for every HTTP error of every service (RFC 9457), documented on every operation."""

from __future__ import annotations

import pytest

from shared.auth import Role
from shared.errors import PROBLEM_CONTENT_TYPE
from tests.support import SERVICES, bearer
from tests.unit.conftest import ServiceApi

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


@pytest.mark.parametrize("service", SERVICES)
async def test_unknown_paths_missing_tokens_and_invalid_requests_are_problems(
    service_api: ServiceApi, service: str
) -> None:
    client, _ = await service_api(service)

    unknown = await client.get("/no/such/thing")
    wrong_method = await client.delete("/healthz")
    unauthenticated = await client.get("/persons/20260001/certificates" if service == "certificates" else "/docs")

    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert unknown.json().keys() >= PROBLEM_FIELDS
    assert unknown.json()["type"] == "urn:dangxiao:problem:not-found"
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method-not-allowed")
    if service == "certificates":
        assert unauthenticated.status_code == 401
        assert unauthenticated.headers["www-authenticate"] == "Bearer"
        assert unauthenticated.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("service", SERVICES)
async def test_every_operation_documents_its_errors_as_problems_and_no_server_error(
    service_api: ServiceApi, service: str
) -> None:
    client, _ = await service_api(service)
    document = (await client.get("/openapi.json")).json()

    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = {int(status) for status in operation["responses"]}
            assert not {status for status in statuses if status >= 500} - {503}, (method, path)
            if operation.get("security"):
                assert {401, 403} <= statuses, (method, path)
            if operation.get("parameters") or "requestBody" in operation:
                assert 422 in statuses, (method, path)
            # A page for people (certificates' verification page) says "not found" as a page; programs get problems.
            page = set(operation["responses"].get("200", {}).get("content", {})) == {"text/html"}
            shapes = ({PROBLEM_CONTENT_TYPE}, {"application/json"}, *([{"text/html"}] if page else []))
            for status, answer in operation["responses"].items():
                if status.startswith("4") and "content" in answer and answer["content"]:
                    assert set(answer["content"]) in shapes, (method, path)
    assert set(document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]) == {"text/plain"}


async def test_a_request_that_does_not_validate_names_each_field_at_fault(service_api: ServiceApi) -> None:
    client, _ = await service_api("hours")
    answer = await client.get("/persons/p1/hours", params={"year": "nineteen"}, headers=bearer(Role.ADMIN, "a"))

    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "invalid-request"
    assert [error["location"] for error in problem["errors"]] == [["query", "year"]]
    assert "query.year" in problem["detail"]


@pytest.mark.parametrize(
    ("text", "expected"), [("\\u0000", "NUL character"), ("\\ud800", "unpaired surrogate")], ids=["nul", "surrogate"]
)
async def test_json_text_no_database_stores_faithfully_is_refused_before_any_route(
    service_api: ServiceApi, text: str, expected: str
) -> None:
    client, _ = await service_api("enrollment")
    body = f'{{"person_id": "p1", "name": "张{text}三"}}'.encode()

    answer = await client.post(
        "/persons", content=body, headers={"content-type": "application/json", **bearer(Role.ADMIN, "a")}
    )

    assert (answer.status_code, answer.json()["code"]) == (422, "invalid-request")
    assert expected in answer.json()["detail"]


async def test_a_json_body_over_the_limit_is_refused_as_it_streams_in(service_api: ServiceApi) -> None:
    client, _ = await service_api("enrollment")

    async def chunks():  # no content-length: the limit applies as the body arrives
        for _ in range(9):
            yield b" " * (1024 * 1024)

    answer = await client.post(
        "/persons", content=chunks(), headers={"content-type": "application/json", **bearer(Role.ADMIN, "a")}
    )

    assert (answer.status_code, answer.json()["code"]) == (413, "too-large")
