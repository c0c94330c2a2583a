"""Batches: upload, status, list, review queue, approve, release, download."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from fastapi.responses import FileResponse

from crossverify.api.deps import CurrentUser, ServicesDep, SessionDep, allow, batch_for
from crossverify.api.schemas import ERROR_RESPONSES, BatchPublic
from crossverify.pipeline import (
    approve_batch,
    download_package,
    lower_scope,
    lower_scope_to_cap,
    release_batch,
    submit_batch,
)
from crossverify.store import repos
from crossverify.store.tables import Batch, BatchStatus, Role

router = APIRouter(prefix="/v1", tags=["batches"], responses=ERROR_RESPONSES)
ANY_ROLE = (Role.REQUESTER, Role.OFFICER, Role.AUDITOR, Role.ADMIN)


def to_public(batch: Batch, *, stored: int | None = None) -> BatchPublic:
    rows = batch.rows_read or 0
    done = stored if stored is not None else (rows if batch.status != "submitted" else 0)
    return BatchPublic(
        batch_id=batch.id,
        agency=batch.agency,
        status=batch.status,
        rows_read=rows,
        counts=dict(batch.counts or {}),
        expected_wrong_matches=batch.expected_wrong_matches,
        model_id=batch.model_id,
        policy_id=batch.policy_id,
        created_at=batch.created_at,
        progress=round(min(done / rows, 1.0), 4) if rows else 1.0,
    )


@router.post(
    "/batches",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[allow(Role.REQUESTER)],
    summary="Upload a signed batch; its run is queued.",
)
def upload_batch(
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    request_file: Annotated[UploadFile, File(description="The request file.")],
    manifest: Annotated[UploadFile, File(description="Its signed manifest (JSON).")],
) -> BatchPublic:
    name = Path(request_file.filename or "requests.csv").name
    with tempfile.TemporaryDirectory(prefix="crossverify-upload-") as tmp:
        req_path = Path(tmp) / name
        man_path = Path(tmp) / "manifest.json"
        req_path.write_bytes(request_file.file.read())
        man_path.write_bytes(manifest.file.read())
        submitted = submit_batch(
            session=session,
            settings=services.settings,
            policy=services.policy,
            request_file=req_path,
            manifest_file=man_path,
            username=user.username,
        )
    services.runner.enqueue_run(submitted.batch_id)
    return to_public(repos.get_batch(session=session, batch_id=submitted.batch_id))


@router.get("/batches", dependencies=[allow(*ANY_ROLE)], summary="List batches.")
def list_batches(
    user: CurrentUser,
    session: SessionDep,
    status_: Annotated[BatchStatus | None, None] = None,
    limit: int = 100,
    offset: int = 0,
) -> list[BatchPublic]:
    agency = user.agency if user.role == Role.REQUESTER.value else None
    batches = repos.list_batches(
        session=session,
        status=status_,
        agency=agency,
        limit=max(1, min(limit, 500)),
        offset=max(0, offset),
    )
    return [to_public(b) for b in batches]


@router.get(
    "/batches/{batch_id}",
    dependencies=[allow(*ANY_ROLE)],
    summary="A batch's status, counts and progress.",
)
def get_batch(
    batch_id: str, user: CurrentUser, session: SessionDep, request: Request
) -> BatchPublic:
    batch = batch_for(session, user=user, batch_id=batch_id, request=request)
    stored = sum(repos.outcome_counts(session=session, batch_id=batch_id).values())
    return to_public(batch, stored=stored)


@router.get(
    "/review",
    dependencies=[allow(Role.OFFICER)],
    summary="Batches decided and waiting for an officer's approval.",
)
def review_queue(session: SessionDep) -> list[BatchPublic]:
    return [
        to_public(b)
        for b in repos.list_batches(session=session, status=BatchStatus.DECIDED, limit=500)
    ]


@router.post(
    "/batches/{batch_id}/approve",
    dependencies=[allow(Role.OFFICER)],
    summary="Approve a decided batch (not one you submitted).",
)
def approve(batch_id: str, user: CurrentUser, session: SessionDep) -> BatchPublic:
    approve_batch(session=session, batch_id=batch_id, username=user.username)
    return to_public(repos.get_batch(session=session, batch_id=batch_id))


@router.post(
    "/batches/{batch_id}/lower-scope",
    dependencies=[allow(Role.OFFICER)],
    summary="Withhold the least confident disclosures until the batch is within the policy's "
    "expected-wrong cap (or below `min_confidence` when given).",
)
def lower(
    batch_id: str,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
) -> BatchPublic:
    if min_confidence is None:
        lower_scope_to_cap(
            session=session, batch_id=batch_id, username=user.username, settings=services.settings
        )
    else:
        lower_scope(
            session=session,
            batch_id=batch_id,
            min_confidence=min_confidence,
            username=user.username,
            settings=services.settings,
        )
    return to_public(repos.get_batch(session=session, batch_id=batch_id))


@router.post(
    "/batches/{batch_id}/release",
    dependencies=[allow(Role.OFFICER)],
    summary="Release an approved batch: write its package and account for it.",
)
def release(
    batch_id: str, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> BatchPublic:
    release_batch(
        session=session, settings=services.settings, batch_id=batch_id, username=user.username
    )
    return to_public(repos.get_batch(session=session, batch_id=batch_id))


@router.get(
    "/batches/{batch_id}/package",
    dependencies=[allow(Role.REQUESTER, Role.OFFICER)],
    summary="Download the released response package (zip).",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def download(batch_id: str, user: CurrentUser, session: SessionDep) -> FileResponse:
    path = download_package(session=session, batch_id=batch_id, username=user.username)
    return FileResponse(path, media_type="application/zip", filename=f"{batch_id}.zip")
