"""Legal holds: admins place and lift them; auditors read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from crossverify.api.deps import CurrentUser, SessionDep, allow
from crossverify.api.schemas import ERROR_RESPONSES, HoldIn, HoldPublic
from crossverify.pipeline import lift_hold, place_hold
from crossverify.store import repos
from crossverify.store.tables import Role

router = APIRouter(prefix="/v1", tags=["holds"], responses=ERROR_RESPONSES)


@router.get("/holds", dependencies=[allow(Role.ADMIN, Role.AUDITOR)], summary="Legal holds.")
def list_holds(session: SessionDep, active_only: bool = False) -> list[HoldPublic]:
    return [
        HoldPublic.model_validate(h)
        for h in repos.list_holds(session=session, active_only=active_only)
    ]


@router.post(
    "/holds",
    status_code=status.HTTP_201_CREATED,
    dependencies=[allow(Role.ADMIN)],
    summary="Place a legal hold: releases and downloads stop at once.",
)
def place(body: HoldIn, user: CurrentUser, session: SessionDep) -> HoldPublic:
    hold = place_hold(
        session=session,
        username=user.username,
        court=body.court,
        case_number=body.case_number,
        reason=body.reason,
        agency=body.agency,
    )
    return HoldPublic.model_validate(hold)


@router.post(
    "/holds/{hold_id}/lift", dependencies=[allow(Role.ADMIN)], summary="Lift a legal hold."
)
def lift(
    hold_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: CurrentUser, session: SessionDep
) -> HoldPublic:
    return HoldPublic.model_validate(
        lift_hold(session=session, username=user.username, hold_id=hold_id)
    )
