"""Branch-organised study (支部组织学习): a 党支部 runs its own study sessions (研讨交流, 主题讲座, 座谈会, online study
together) as a class of category ``branch_study`` that names the branch as its organiser.

The branch schedules the sessions and enters its own members as they are: no unit nominates them and nobody
approves them. Attendance then flows as for any session, and 学时 count toward the members' yearly requirement with
the branch as organiser (the class's ``organiser_id`` in its events).
"""

from __future__ import annotations

from services.enrollment.domain.classes import TrainingClass
from services.enrollment.domain.errors import ClassError
from services.enrollment.domain.organisation import Organisation
from services.enrollment.domain.people import Person
from services.enrollment.domain.vocabulary import PartyOrganisationKind, TrainingCategory

BRANCH_STUDY = TrainingCategory.BRANCH_STUDY


def is_branch_study(training_class: TrainingClass) -> bool:
    return training_class.category is BRANCH_STUDY


def organiser_problems(training_class: TrainingClass, organisation: Organisation) -> list[str]:
    """Whether a 支部组织学习 class names, as its organiser, a 党支部 that exists on the class's first day. Other
    classes are organised by whichever unit or Party organisation the register knows (checked elsewhere)."""
    if not is_branch_study(training_class):
        return []
    code = training_class.organiser
    if code is None:
        return [f"a {BRANCH_STUDY.label} class names its organising 党支部 (organiser_id)"]
    branch = organisation.party.get(code)
    if branch is None or branch.kind is not PartyOrganisationKind.BRANCH:
        what = branch.described() if branch else f"单位 {code}" if code in organisation.units else f"unknown {code}"
        return [f"a {BRANCH_STUDY.label} class is organised by a 党支部, not by {what}"]
    first_day = training_class.first_day
    if first_day is not None and not branch.period.covers(first_day):
        return [f"{branch.described()} does not exist on {first_day}, the class's first day ({branch.period.text()})"]
    return []


def check_organiser(training_class: TrainingClass, organisation: Organisation) -> TrainingClass:
    """The class, if its organiser may run it; else a ``ClassError`` saying why not."""
    problems = organiser_problems(training_class, organisation)
    if problems:
        raise ClassError(f"class {training_class.title!r}: {'; '.join(problems)}")
    return training_class


def membership_problem(person: Person, training_class: TrainingClass) -> str | None:
    """Why the organising branch may not enter ``person`` into its study, or None when they are its member."""
    branch = training_class.organiser
    if person.branch == branch:
        return None
    belongs = f"belongs to 党支部 {person.branch}" if person.branch else "belongs to no 党支部 on record"
    return (
        f"{person.described()} {belongs}, not to {branch}: a {BRANCH_STUDY.label} class takes only the members of "
        f"the branch that organises it"
    )
