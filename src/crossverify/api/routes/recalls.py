"""Recalls: officers (and admins on a court order) create them; the receiving agency's
requesters see theirs and certify destruction; auditors read them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from crossverify.api.deps import CurrentUser, ServicesDep, SessionDep, allow
from crossverify.api.schemas import ERROR_RESPONSES
from crossverify.recall import (
    RecallStatus,
    certify_recall,
    create_recall,
    notice_for,
    recall_status,
    recall_statuses,
    visible_recall,
)
from crossverify.store import repos
from crossverify.store.tables import Role

router = APIRouter(prefix="/v1", tags=["recalls"], responses=ERROR_RESPONSES)
RecallId = Annotated[str, Path(min_length=1, max_length=64)]
READERS = (Role.REQUESTER, Role.OFFICER, Role.AUDITOR, Role.ADMIN)


class RecallIn(BaseModel):
    """What to recall (a batch, some of its request ids, or a hold's scope) and why."""

    reason: Literal["wrong_person", "court_order", "policy_error"]
    reason_text: str = Field(min_length=1, max_length=2000)
    court_order: str | None = Field(default=None, max_length=500)
    batch_id: str | None = Field(default=None, max_length=64)
    request_ids: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=100_000
    )
    hold_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class CertifyIn(BaseModel):
    """A requester's confirmation, or the agency's signed certification document."""

    statement: str = Field(default="", max_length=2000)
    signed_certificate: dict[str, Any] | None = None


class RecallPublic(BaseModel):
    id: str
    batch_id: str
    agency: str
    reason: str
    reason_text: str
    court_order: str | None
    scope: str
    hold_id: int | None
    package_sha256: str
    notice_sha256: str
    records: int
    created_at: datetime
    certify_by: datetime
    status: Literal["open", "overdue", "certified"]
    certified_at: datetime | None
    certification_method: str | None
    request_ids: list[str] | None = None


def to_public(s: RecallStatus, request_ids: list[str] | None = None) -> RecallPublic:
    r, c = s.recall, s.certification
    return RecallPublic(
        id=r.id,
        batch_id=r.batch_id,
        agency=r.agency,
        reason=r.reason,
        reason_text=r.reason_text,
        court_order=r.court_order,
        scope=r.scope,
        hold_id=r.hold_id,
        package_sha256=r.package_sha256,
        notice_sha256=r.notice_sha256,
        records=s.records,
        created_at=r.created_at,
        certify_by=s.certify_by,
        status=s.status,
        certified_at=c.certified_at if c else None,
        certification_method=c.method if c else None,
        request_ids=request_ids,
    )


@router.get("/recalls", dependencies=[allow(*READERS)], summary="Recalls, oldest first.")
def list_recalls(
    user: CurrentUser, session: SessionDep, services: ServicesDep, overdue: bool = False
) -> list[RecallPublic]:
    agency = user.agency if user.role == Role.REQUESTER.value else None
    found = recall_statuses(
        session=session, agency=agency, overdue_only=overdue, policy=services.policy
    )
    return [to_public(s) for s in found]


@router.post(
    "/recalls",
    status_code=status.HTTP_201_CREATED,
    dependencies=[allow(Role.OFFICER, Role.ADMIN)],
    summary="Recall released records; one signed recall notice per batch.",
)
def create(
    body: RecallIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> list[RecallPublic]:
    recalls = create_recall(
        session=session,
        settings=services.settings,
        username=user.username,
        reason=body.reason,
        reason_text=body.reason_text,
        court_order=body.court_order,
        batch_id=body.batch_id,
        request_ids=body.request_ids,
        hold_id=body.hold_id,
        policy=services.policy,
    )
    return [
        to_public(recall_status(session=session, recall_id=r.id, policy=services.policy))
        for r in recalls
    ]


@router.get(
    "/recalls/{recall_id}", dependencies=[allow(*READERS)], summary="One recall and its records."
)
def show(
    recall_id: RecallId, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> RecallPublic:
    visible_recall(session=session, recall_id=recall_id, username=user.username)
    items = repos.recall_items(session=session, recall_id=recall_id)
    return to_public(
        recall_status(session=session, recall_id=recall_id, policy=services.policy),
        [i.request_id for i in items],
    )


@router.get(
    "/recalls/{recall_id}/notice",
    dependencies=[allow(*READERS)],
    summary="The signed recall notice (zip); check it with `crossverify package verify`.",
    response_class=FileResponse,
)
def notice(recall_id: RecallId, user: CurrentUser, session: SessionDep) -> FileResponse:
    path = notice_for(session=session, recall_id=recall_id, username=user.username)
    return FileResponse(path, media_type="application/zip", filename=path.name)


@router.post(
    "/recalls/{recall_id}/certify",
    dependencies=[allow(Role.REQUESTER, Role.OFFICER)],
    summary="Certify destruction: a requester of the agency confirms, or posts the agency's "
    "signed certification (an officer may record a signed one).",
)
def certify(
    recall_id: RecallId,
    body: CertifyIn,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> RecallPublic:
    certify_recall(
        session=session,
        recall_id=recall_id,
        username=user.username,
        statement=body.statement,
        certificate=body.signed_certificate,
        policy=services.policy,
    )
    return to_public(recall_status(session=session, recall_id=recall_id, policy=services.policy))
