"""Who may do what, route by route, enumerated from the OpenAPI document: without a token 401; a role a route is
not for 403; a class manager outside their classes, a nominator outside their units, a learner outside their
own records 403; and whoever the route is for is let through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from shared.auth import Role
from tests.support import bearer
from tests.unit.conftest import ServiceApi
from tests.unit.test_enrollment_api import (
    CLASS_ID,
    MANAGER,
    MARX_NOMINATOR,
    Register,
    a_class,
    a_school_with_a_class,
    a_session,
    open_register,
    target,
)


@pytest.fixture
async def register(service_api: ServiceApi) -> Register:
    return await open_register(service_api)


ADMIN, CLASS_MANAGER, NOMINATOR, LEARNER = Role.ADMIN, Role.CLASS_MANAGER, Role.NOMINATOR, Role.LEARNER
EVERYONE = frozenset({ADMIN, CLASS_MANAGER, NOMINATOR, LEARNER})
STAFF = frozenset({ADMIN, CLASS_MANAGER})
# Operations answer without a token, as load balancers and Prometheus ask them.
PUBLIC = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"), ("GET", "/asyncapi.json")}
SESSION_ID = f"{CLASS_ID}-01"
PARAMETERS = {
    "org_id": "MARX",
    "person_id": "1",
    "course_id": "C-20TH",
    "teacher_id": "T-WANG",
    "class_id": CLASS_ID,
    "session_id": SESSION_ID,
    "position": "young_backbone",
}
# The principal of each role who may use a route but stands outside the records it is about: person 1 is of
# MARX, class CLASS_ID is managed by manager-1.
OUTSIDERS = {
    CLASS_MANAGER: bearer(CLASS_MANAGER, "manager-2"),
    NOMINATOR: bearer(NOMINATOR, "econ-office", units=["ECON"]),
    LEARNER: bearer(LEARNER, "2"),
}
INSIDERS = {
    ADMIN: bearer(ADMIN, "office"),
    CLASS_MANAGER: MANAGER,
    NOMINATOR: MARX_NOMINATOR,
    LEARNER: bearer(LEARNER, "1"),
}


@dataclass(frozen=True)
class Access:
    roles: frozenset[Role]  # who may use the route at all
    scoped: frozenset[Role] = frozenset()  # of those, whom it holds to their classes, units or own records
    body: Any = field(default_factory=dict)
    raw: bool = False  # the body is a file, not JSON


ROUTES: dict[tuple[str, str], Access] = {
    ("GET", "/vocabularies"): Access(EVERYONE),
    ("GET", "/organisations"): Access(frozenset({ADMIN, CLASS_MANAGER, NOMINATOR})),
    ("POST", "/organisations"): Access(
        frozenset({ADMIN}),
        body={"org_id": "LAW", "kind": "unit", "unit_kind": "college", "name": "法学院", "valid_from": "2020-09-01"},
    ),
    ("GET", "/organisations/{org_id}"): Access(frozenset({ADMIN, CLASS_MANAGER, NOMINATOR})),
    ("PATCH", "/organisations/{org_id}"): Access(frozenset({ADMIN}), body={"name": "马克思主义学院（新）"}),
    ("GET", "/persons"): Access(frozenset({ADMIN, NOMINATOR})),  # a nominator sees their units' people only
    ("POST", "/persons"): Access(frozenset({ADMIN, CLASS_MANAGER, NOMINATOR}), frozenset({NOMINATOR}), target("7")),
    ("GET", "/persons/{person_id}"): Access(EVERYONE, frozenset({CLASS_MANAGER, NOMINATOR, LEARNER})),
    ("PATCH", "/persons/{person_id}"): Access(frozenset({ADMIN, NOMINATOR}), frozenset({NOMINATOR}), {"name": "新名"}),
    ("POST", "/persons/{person_id}/statuses"): Access(
        frozenset({ADMIN, NOMINATOR}),
        frozenset({NOMINATOR}),
        {"status": "probationary_member", "since": "2026-06-01", "admission_date": "2026-06-01"},
    ),
    ("POST", "/persons/{person_id}/positions"): Access(
        frozenset({ADMIN, NOMINATOR}), frozenset({NOMINATOR}), {"position": "young_backbone", "since": "2026-06-01"}
    ),
    ("POST", "/persons/{person_id}/positions/{position}/end"): Access(
        frozenset({ADMIN, NOMINATOR}), frozenset({NOMINATOR}), {"on": "2027-01-01"}
    ),
    ("GET", "/persons/{person_id}/enrollments"): Access(EVERYONE, frozenset({CLASS_MANAGER, NOMINATOR, LEARNER})),
    ("GET", "/courses"): Access(STAFF),
    ("POST", "/courses"): Access(frozenset({ADMIN}), body={"title": "党性教育", "teaching_modes": ["seminar"]}),
    ("GET", "/courses/{course_id}"): Access(STAFF),
    ("PATCH", "/courses/{course_id}"): Access(frozenset({ADMIN}), body={"usual_hours": "3"}),
    ("GET", "/teachers"): Access(STAFF),
    ("POST", "/teachers"): Access(frozenset({ADMIN}), body={"name": "赵老师", "internal": True}),
    ("GET", "/teachers/{teacher_id}"): Access(STAFF),
    ("PATCH", "/teachers/{teacher_id}"): Access(frozenset({ADMIN}), body={"subjects": ["党史"]}),
    ("GET", "/classes"): Access(EVERYONE),  # the school's training plan
    ("POST", "/classes"): Access(STAFF, body=a_class("NEW-CLASS")),
    ("GET", "/classes/{class_id}"): Access(EVERYONE),
    ("PATCH", "/classes/{class_id}"): Access(STAFF, frozenset({CLASS_MANAGER}), {"place": "新教室"}),
    ("POST", "/classes/{class_id}/sessions"): Access(STAFF, frozenset({CLASS_MANAGER}), a_session(3)),
    ("PATCH", "/sessions/{session_id}"): Access(STAFF, frozenset({CLASS_MANAGER}), {"title": "改题"}),
    ("POST", "/sessions/{session_id}/cancel"): Access(STAFF, frozenset({CLASS_MANAGER}), {"reason": "教师出差"}),
    ("POST", "/classes/{class_id}/enrollments"): Access(
        EVERYONE, frozenset({CLASS_MANAGER, NOMINATOR, LEARNER}), {"person_id": "1"}
    ),
    # A nominator sees their units' people's enrollments only.
    ("GET", "/classes/{class_id}/enrollments"): Access(
        frozenset({ADMIN, CLASS_MANAGER, NOMINATOR}), frozenset({CLASS_MANAGER})
    ),
    ("GET", "/enrollments/{enrollment_id}"): Access(EVERYONE, frozenset({CLASS_MANAGER, NOMINATOR, LEARNER})),
    ("POST", "/enrollments/{enrollment_id}/approve"): Access(STAFF, frozenset({CLASS_MANAGER})),
    ("POST", "/enrollments/{enrollment_id}/reject"): Access(STAFF, frozenset({CLASS_MANAGER}), {"reason": "不符"}),
    ("POST", "/enrollments/{enrollment_id}/withdraw"): Access(
        EVERYONE, frozenset({CLASS_MANAGER, NOMINATOR, LEARNER}), {"reason": "工作冲突"}
    ),
    ("POST", "/enrollments/{enrollment_id}/transfer"): Access(
        STAFF, frozenset({CLASS_MANAGER}), {"class_id": "DT-2026-AUTUMN"}
    ),
    ("GET", "/templates/register.xlsx"): Access(frozenset({ADMIN})),
    ("GET", "/templates/roster.xlsx"): Access(STAFF),
    ("POST", "/imports/register"): Access(frozenset({ADMIN}), raw=True),
    ("POST", "/classes/{class_id}/roster"): Access(STAFF, frozenset({CLASS_MANAGER}), raw=True),
    ("GET", "/classes/{class_id}/roster.xlsx"): Access(STAFF, frozenset({CLASS_MANAGER})),
    ("GET", "/classes/{class_id}/sign-in.xlsx"): Access(STAFF, frozenset({CLASS_MANAGER})),
}


@dataclass
class School:
    register: Register
    enrollment_id: str

    async def call(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
        access = ROUTES[(method, path)]
        url = path.format(**PARAMETERS, enrollment_id=self.enrollment_id)
        if access.raw:
            response = await self.register.client.request(method, url, content=b"not a workbook", headers=headers)
        elif method == "GET":
            response = await self.register.client.get(url, headers=headers)
        else:
            response = await self.register.client.request(method, url, json=access.body, headers=headers)
        return response.status_code, response.text


@pytest.fixture
async def school(register: Register) -> School:
    """Person 1 of MARX nominated into class CLASS_ID (managed by manager-1, one session), a second class by the
    same manager to transfer to, a course and a teacher."""
    await a_school_with_a_class(register, a_session(1))
    await register.post("/classes", a_class("DT-2026-AUTUMN", starts_on="2026-09-07", ends_on="2026-09-11"), MANAGER)
    await register.post("/courses", {"course_id": "C-20TH", "title": "学习贯彻党的二十大精神"})
    await register.post("/teachers", {"teacher_id": "T-WANG", "name": "王教授", "internal": True})
    nominated = await register.post(f"/classes/{CLASS_ID}/enrollments", {"person_id": "1"}, MARX_NOMINATOR)
    return School(register, nominated["enrollment_id"])


def documented_routes(openapi: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, operations in openapi["paths"].items() for method in operations}


async def test_every_route_is_classified_here(school: School) -> None:
    openapi = (await school.register.client.get("/openapi.json")).json()
    assert documented_routes(openapi) - PUBLIC == set(ROUTES), "a route was added or removed: say who may use it"


async def test_every_route_wants_a_token(school: School) -> None:
    for method, path in ROUTES:
        status, text = await school.call(method, path, {})
        assert status == 401, f"{method} {path} without a token: {status} {text}"


async def test_every_route_refuses_the_roles_it_is_not_for(school: School) -> None:
    for (method, path), access in ROUTES.items():
        for role in set(Role) - access.roles:
            status, text = await school.call(method, path, bearer(role, "someone", units=["MARX"]))
            assert status == 403, f"{method} {path} as {role}: {status} {text}"
            assert "this needs one of the roles" in text


async def test_every_route_holds_class_managers_nominators_and_learners_to_their_own(school: School) -> None:
    for (method, path), access in ROUTES.items():
        for role in access.scoped:
            status, text = await school.call(method, path, OUTSIDERS[role])
            assert status == 403, f"{method} {path} as an outside {role}: {status} {text}"
    changes = await school.register.states("enrollment", school.enrollment_id)
    assert len(changes) == 1, "a refused request changed the enrollment"


async def test_whoever_a_route_is_for_is_let_through(school: School) -> None:
    # Last, as some of these change what the others are about: only refusals are looked for here.
    for (method, path), access in ROUTES.items():
        for role in access.roles:
            status, text = await school.call(method, path, INSIDERS[role])
            assert status not in (401, 403), f"{method} {path} as {role} of its own: {status} {text}"
