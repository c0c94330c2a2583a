"""On-demand lookups, answered synchronously."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from crossverify.api.deps import CurrentUser, ServicesDep, SessionDep, allow
from crossverify.api.schemas import ERROR_RESPONSES, LookupIn, LookupOutcomePublic, LookupPublic
from crossverify.store.tables import Role

router = APIRouter(prefix="/v1", tags=["lookups"], responses=ERROR_RESPONSES)


@router.post(
    "/lookups",
    dependencies=[allow(Role.REQUESTER)],
    summary="Decide a few records at once, with the outcomes and reason codes of a batch.",
)
def lookup(
    body: LookupIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> LookupPublic:
    outcomes = services.lookups.lookup(
        session=session,
        policy=services.policy,
        user=user,
        records=[r.model_dump() for r in body.records],
    )
    return LookupPublic(outcomes=[LookupOutcomePublic(**asdict(o)) for o in outcomes])
