"""Pages: they call the same pipeline and store functions as the API, and hold no rules."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.orm import Session

from crossverify.api.deps import ServicesDep, SessionDep
from crossverify.errors import CrossverifyError, NotFound, PermissionDenied
from crossverify.ledger import record as ledger
from crossverify.pipeline import approve_batch, lower_scope_to_cap, release_batch
from crossverify.store import repos
from crossverify.store.tables import RecordOutcome, Role, User
from crossverify.store.tokens import user_for_token
from crossverify.web.svg import confidence_histogram, weight_waterfall

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(prefix="/web", include_in_schema=False)
STAFF = (Role.OFFICER, Role.AUDITOR, Role.ADMIN)


def _user(request: Request, session: Session, *roles: Role) -> User | None:
    """The logged-in user if it has one of `roles`; refusals are audit events."""
    username = request.session.get("user")
    if not username:
        return None
    try:
        user: User | None = repos.get_user_by_name(session=session, username=str(username))
    except NotFound:
        user = None
    if user is None or not user.active or user.role not in roles:
        ledger.record_event(
            session=session,
            action="refusal",
            actor=str(username),
            success=False,
            detail={"status": 403, "path": request.url.path, "reason": "role"},
        )
        session.commit()
        raise PermissionDenied(f"{username} may not open this page")
    return user


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    csrf = request.session.setdefault("csrf", secrets.token_urlsafe(16))
    return templates.TemplateResponse(
        request, name, {"user": request.session.get("user"), "csrf": csrf, **context}
    )


def _check_csrf(request: Request, token: str) -> None:
    if not secrets.compare_digest(token, str(request.session.get("csrf", ""))):
        raise PermissionDenied("the form expired; open the page again")


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return _page(request, "login.html", error=None)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    token: Annotated[str, Form()],
) -> Response:
    """Log in with a username and that user's API token; failures are audit events."""
    user = user_for_token(session=session, token=token)
    if user is None or user.username != username:
        ledger.record_event(
            session=session,
            action="login",
            actor=username[:64] or "anonymous",
            success=False,
            detail={"reason": "bad username or token"},
        )
        session.commit()
        return _page(request, "login.html", error="Unknown user or token.")
    request.session.clear()
    request.session["user"] = user.username
    ledger.record_event(session=session, action="login", actor=user.username)
    session.commit()
    return RedirectResponse("/web/", status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/web/login", status_code=303)


@router.get("/")
def queue(request: Request, session: SessionDep) -> Response:
    if _user(request, session, *STAFF) is None:
        return RedirectResponse("/web/login", status_code=303)
    return _page(request, "queue.html", batches=repos.list_batches(session=session, limit=200))


@router.get("/batches/{batch_id}")
def batch_page(batch_id: str, request: Request, session: SessionDep) -> Response:
    user = _user(request, session, *STAFF)
    if user is None:
        return RedirectResponse("/web/login", status_code=303)
    batch = repos.get_batch(session=session, batch_id=batch_id)
    confidences = [
        float(r["confidence"])
        for r in repos.iter_outcome_rows(session=session, batch_id=batch_id)
        if r["confidence"] is not None
    ]
    return _page(
        request,
        "batch.html",
        batch=batch,
        counts=sorted((batch.counts or {}).items()),
        # Safe to mark: the SVG is built from numbers and escaped labels only.
        histogram=Markup(confidence_histogram(confidences)),
        records=repos.outcomes_for_batch(session=session, batch_id=batch_id)[:200],
        is_officer=user.role == Role.OFFICER.value,
        message=request.query_params.get("message"),
    )


@router.get("/batches/{batch_id}/records/{row_number}")
def record_page(batch_id: str, row_number: int, request: Request, session: SessionDep) -> Response:
    """Why a record got its outcome: each compared field's level and weight, and the runner-up."""
    if _user(request, session, Role.OFFICER, Role.AUDITOR, Role.ADMIN) is None:
        return RedirectResponse("/web/login", status_code=303)
    record = session.get(RecordOutcome, (batch_id, row_number))
    if record is None:
        raise NotFound(f"batch {batch_id} has no row {row_number}", batch_id=batch_id)
    candidates = []
    for rank, c in enumerate((record.explanation or {}).get("candidates", [])):
        fields = c.get("fields", {})
        steps = [(n, float(f["weight"] or 0.0)) for n, f in fields.items()]
        prior = float(c["match_weight"]) - sum(w for _, w in steps)
        name = "Chosen taxpayer" if rank == 0 else "Runner-up"
        candidates.append(
            {
                "name": name,
                "match_weight": c["match_weight"],
                "fields": [(n, f["level"], f["weight"]) for n, f in fields.items()],
                # Safe to mark: numbers and escaped names only.
                "chart": Markup(weight_waterfall(prior, steps, title=f"{name}: match weight")),
            }
        )
    return _page(request, "record.html", record=record, candidates=candidates)


@router.post("/batches/{batch_id}/{action}")
def batch_action(
    batch_id: str,
    action: str,
    *,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    csrf: Annotated[str, Form()],
) -> Response:
    user = _user(request, session, Role.OFFICER)
    if user is None:
        return RedirectResponse("/web/login", status_code=303)
    _check_csrf(request, csrf)
    try:
        if action == "approve":
            approve_batch(session=session, batch_id=batch_id, username=user.username)
            message = "Batch approved."
        elif action == "release":
            release_batch(
                session=session,
                settings=services.settings,
                batch_id=batch_id,
                username=user.username,
            )
            message = "Batch released."
        elif action == "lower-scope":
            scope = lower_scope_to_cap(
                session=session,
                batch_id=batch_id,
                username=user.username,
                settings=services.settings,
            )
            if scope is None:
                message = "The batch is within the policy's cap: nothing withheld."
            else:
                message = (
                    f"Scope lowered: {scope.withheld} disclosures below confidence "
                    f"{scope.min_confidence} withheld."
                )
        else:
            return Response(status_code=404)
    except CrossverifyError as exc:
        message = f"Not done: {exc.message}"
    return RedirectResponse(f"/web/batches/{batch_id}?message={message}", status_code=303)
