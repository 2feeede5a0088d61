"""The programme office's subscriptions: benefits changing status, programmes out of step."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.sdk import (
    EventFields,
    Notice,
    Programme,
    ProgrammeRef,
    Project,
    ProjectRef,
    domain_events,
    load_by_id,
    scope_argument,
    tier_subscription,
)
from pmo_graph_pmo.enums import BenefitStatus
from pmo_graph_pmo.models import Benefit
from pmo_graph_pmo.refs import BenefitRef
from pmo_graph_pmo.tier import KEY

ProgrammeArgument = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Only the events of this programme; every programme of your organisation "
        "when left out. An id of no programme of your organisation is the error NOT_FOUND, one "
        "that is no programme id BAD_USER_INPUT."
    ),
]


def _of_programme(programme: int | None) -> Any:
    def accept(notice: Notice) -> bool:
        if programme is None:
            return True
        if notice.entity_type == "Programme":
            return notice.entity_pk == programme
        return bool(notice.data.get("programme") == programme)

    return accept


@strawberry.type(
    description="A measurement moved a benefit to another status, its status as of the day it "
    "was recorded (UTC)."
)
class BenefitStatusChanged(EventFields):
    __tier__ = KEY

    @strawberry.field(description="The benefit's status before the measurement.")
    def previous(self) -> BenefitStatus:
        return BenefitStatus(self.notice.data["previous"])

    @strawberry.field(description="The benefit's status once the measurement was recorded.")
    def status(self) -> BenefitStatus:
        return BenefitStatus(self.notice.data["status"])

    @strawberry.field(
        description="The benefit, as it is when the event is delivered; null if it can no longer "
        "be read."
    )
    async def benefit(self, info: Info[Any, Any]) -> BenefitRef | None:
        return await load_by_id(info, Benefit, self.notice.entity_pk)


@strawberry.type(
    description="A change (to a milestone, a tranche, a dependency or a project of the programme) "
    "took a programme from in step to out of step; a further slip while it is out of step "
    "announces nothing."
)
class ProgrammeOutOfStep(EventFields):
    __tier__ = KEY

    @strawberry.field(
        description="How many dependencies had a successor coming too early (negative slack) "
        "after the change."
    )
    def breaches(self) -> int:
        return int(self.notice.data.get("breaches") or 0)

    @strawberry.field(
        description="How many milestones were dated after the end of their tranche after the "
        "change."
    )
    def tranche_slips(self) -> int:
        return int(self.notice.data.get("tranche_slips") or 0)

    @strawberry.field(
        description="The programme, as it is when the event is delivered; null if it can no "
        "longer be read."
    )
    async def programme(self, info: Info[Any, Any]) -> ProgrammeRef | None:
        return await load_by_id(info, Programme, self.notice.entity_pk)

    @strawberry.field(
        description="The projects that were out of step after the change (owning a milestone of a "
        "breach or a slip), those that can still be read."
    )
    async def projects(self, info: Info[Any, Any]) -> list[ProjectRef]:
        keys = [int(pk) for pk in self.notice.data.get("projects") or ()]
        found = await info.context.loaders.by_id(Project).load_many(keys)
        return [project for project in found if project is not None]


@strawberry.type
class ProgrammeSubscription:
    @tier_subscription(
        KEY,
        description="An event each time a recorded measurement changes a benefit's status (as of "
        "that day); open to every user of the organisation.",
    )
    async def benefit_status_changed(
        self, info: Info[Any, Any], programme_id: ProgrammeArgument = None
    ) -> AsyncGenerator[BenefitStatusChanged]:
        programme = await scope_argument(info, programme_id, Programme, "Programme", "programmeId")
        async for notice in domain_events(
            info, {"benefit.status_changed"}, accept=_of_programme(programme)
        ):
            yield BenefitStatusChanged(notice=notice)

    @tier_subscription(
        KEY,
        description="An event each time a change takes a programme from in step to out of step "
        "(Programme.synchronisation); open to every user of the organisation.",
    )
    async def programme_out_of_step(
        self, info: Info[Any, Any], programme_id: ProgrammeArgument = None
    ) -> AsyncGenerator[ProgrammeOutOfStep]:
        programme = await scope_argument(info, programme_id, Programme, "Programme", "programmeId")
        async for notice in domain_events(
            info, {"programme.out_of_step"}, accept=_of_programme(programme)
        ):
            yield ProgrammeOutOfStep(notice=notice)
