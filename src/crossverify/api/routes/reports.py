"""The oversight report over the API, for auditors: the same figures as the CLI writes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from crossverify.api.deps import SessionDep, allow
from crossverify.api.schemas import ERROR_RESPONSES
from crossverify.oversight.report import build_report
from crossverify.store.tables import Role

router = APIRouter(prefix="/v1", tags=["reports"], responses=ERROR_RESPONSES)


@router.get(
    "/reports/oversight",
    dependencies=[allow(Role.AUDITOR)],
    summary="Oversight report for the UTC days from..to: counts only, reconciled with the ledger.",
)
def oversight(
    session: SessionDep,
    first_day: Annotated[date, Query(alias="from")],
    last_day: Annotated[date, Query(alias="to")],
) -> dict[str, Any]:
    return build_report(session=session, first_day=first_day, last_day=last_day).as_dict()
