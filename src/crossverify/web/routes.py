"""Pages: they call the same pipeline and store functions as the API, and hold no rules."""

from __future__ import annotations

import json
import secrets
from itertools import islice
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.orm import Session

from crossverify.api.deps import ServicesDep, SessionDep, refuse
from crossverify.errors import CrossverifyError, NotFound
from crossverify.ledger import record as ledger
from crossverify.pipeline import (
    approve_batch,
    lift_hold,
    lower_scope_to_cap,
    place_hold,
    release_batch,
)
from crossverify.store import repos
from crossverify.store.tables import BatchStatus, RecordOutcome, Role, User
from crossverify.store.tokens import user_for_token
from crossverify.web.svg import confidence_histogram, weight_waterfall

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(prefix="/web", include_in_schema=False)
STAFF = (Role.OFFICER, Role.AUDITOR, Role.ADMIN)
LOGIN = "/web/login"
PUBLIC_PAGES = frozenset({LOGIN, "/web/logout"})
HOME = {Role.REQUESTER.value: "/web/mine"}  # everyone else starts at the batch queue
LEDGER_PAGE_SIZE = 50


def page_allow(*roles: Role) -> Any:
    """A page dependency admitting only these roles: the route table reads its roles.

    Not signed in: 303 to the login page. Signed in with another role (or a user since
    deactivated): 403. Both are audit events, as for the API.
    """

    def check(request: Request, session: SessionDep) -> User:
        username = request.session.get("user")
        if not username:
            refusal = refuse(
                session, status=303, actor="anonymous", reason="not signed in", request=request
            )
            refusal.headers = {"Location": LOGIN}
            raise refusal
        try:
            user: User | None = repos.get_user_by_name(session=session, username=str(username))
        except NotFound:
            user = None
        if user is None or not user.active or user.role not in roles:
            raise refuse(
                session,
                status=403,
                actor=str(username),
                reason="this page needs " + " or ".join(r.value for r in roles),
                request=request,
            )
        return user

    check.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return Depends(check)


Staff = Annotated[User, page_allow(*STAFF)]
Officer = Annotated[User, page_allow(Role.OFFICER)]


def render_page(request: Request, name: str, **context: Any) -> HTMLResponse:
    csrf = request.session.setdefault("csrf", secrets.token_urlsafe(16))
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": request.session.get("user"),
            "role": request.session.get("role"),
            "csrf": csrf,
            **context,
        },
    )


def check_csrf(request: Request, session: Session, user: User, token: str) -> None:
    """A form must carry the session's token; a mismatch is refused and audited."""
    if not secrets.compare_digest(token, str(request.session.get("csrf", ""))):
        raise refuse(
            session,
            status=403,
            actor=user.username,
            reason="the form expired; open the page again",
            request=request,
        )


def redirect_with_message(path: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'message': message})}", status_code=303)


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return render_page(request, "login.html", error=None)


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
        return render_page(request, "login.html", error="Unknown user or token.")
    request.session.clear()
    request.session["user"] = user.username
    request.session["role"] = user.role  # for the navigation only; every page asks the store
    ledger.record_event(session=session, action="login", actor=user.username)
    session.commit()
    return RedirectResponse(HOME.get(user.role, "/web/"), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse(LOGIN, status_code=303)


@router.get("/")
def queue(request: Request, session: SessionDep, user: Staff) -> Response:
    return render_page(
        request, "queue.html", batches=repos.list_batches(session=session, limit=200)
    )


@router.get("/mine")
def my_batches(
    request: Request, session: SessionDep, user: Annotated[User, page_allow(Role.REQUESTER)]
) -> Response:
    """A requester's own agency's batches: status only, none of the officers' figures."""
    batches = repos.list_batches(session=session, agency=user.agency or "", limit=200)
    return render_page(request, "mine.html", batches=batches, agency=user.agency)


@router.get("/review")
def review_queue(request: Request, session: SessionDep, user: Officer) -> Response:
    """Decided batches waiting for approval, and approved ones waiting for release."""
    waiting = [
        (stage, b)
        for stage, status in (("approval", BatchStatus.DECIDED), ("release", BatchStatus.APPROVED))
        for b in repos.list_batches(session=session, status=status, limit=500)
    ]
    return render_page(request, "review.html", waiting=waiting)


@router.get("/ledger")
def ledger_page(
    request: Request,
    session: SessionDep,
    user: Annotated[User, page_allow(Role.AUDITOR)],
    since: Annotated[int, Query(ge=1, le=2**63 - 1)] = 1,
) -> Response:
    """The chain's state (verified now) and one page of entries from `since`."""
    status = ledger.verify(session=session)
    entries = list(islice(ledger.iter_entries(session=session, since=since), LEDGER_PAGE_SIZE))
    rows = [(e, json.loads(e.body)) for e in entries]
    last = entries[-1].seq if entries else since - 1
    return render_page(
        request,
        "ledger.html",
        status=status,
        rows=rows,
        previous=max(1, since - LEDGER_PAGE_SIZE) if since > 1 else None,
        next=last + 1 if last < status.entries else None,
    )


@router.get("/holds")
def holds_page(
    request: Request,
    session: SessionDep,
    user: Annotated[User, page_allow(Role.ADMIN, Role.AUDITOR)],
) -> Response:
    return render_page(
        request,
        "holds.html",
        holds=repos.list_holds(session=session),
        is_admin=user.role == Role.ADMIN.value,
        message=request.query_params.get("message"),
    )


@router.post("/holds")
def place_hold_form(
    *,
    request: Request,
    session: SessionDep,
    user: Annotated[User, page_allow(Role.ADMIN)],
    csrf: Annotated[str, Form()],
    court: Annotated[str, Form(min_length=1, max_length=200)],
    case_number: Annotated[str, Form(min_length=1, max_length=100)],
    reason: Annotated[str, Form(min_length=1)],
    agency: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, session, user, csrf)
    try:
        hold = place_hold(
            session=session,
            username=user.username,
            court=court,
            case_number=case_number,
            reason=reason,
            agency=agency.strip() or None,
        )
        message = f"Hold {hold.id} placed: {hold.reference}."
    except CrossverifyError as exc:
        message = f"Not done: {exc.message}"
    return redirect_with_message("/web/holds", message)


@router.post("/holds/{hold_id}/lift")
def lift_hold_form(
    hold_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    request: Request,
    session: SessionDep,
    user: Annotated[User, page_allow(Role.ADMIN)],
    csrf: Annotated[str, Form()],
) -> Response:
    check_csrf(request, session, user, csrf)
    try:
        hold = lift_hold(session=session, username=user.username, hold_id=hold_id)
        message = f"Hold {hold.id} lifted: {hold.reference}."
    except CrossverifyError as exc:
        message = f"Not done: {exc.message}"
    return redirect_with_message("/web/holds", message)


@router.get("/batches/{batch_id}")
def batch_page(batch_id: str, request: Request, session: SessionDep, user: Staff) -> Response:
    batch = repos.get_batch(session=session, batch_id=batch_id)
    confidences = [
        float(r["confidence"])
        for r in repos.iter_outcome_rows(session=session, batch_id=batch_id)
        if r["confidence"] is not None
    ]
    return render_page(
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
def record_page(
    batch_id: str, row_number: int, request: Request, session: SessionDep, user: Staff
) -> Response:
    """Why a record got its outcome: each compared field's level and weight, and the runner-up."""
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
    return render_page(request, "record.html", record=record, candidates=candidates)


@router.post("/batches/{batch_id}/{action}")
def batch_action(
    batch_id: str,
    action: str,
    *,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    user: Officer,
    csrf: Annotated[str, Form()],
) -> Response:
    check_csrf(request, session, user, csrf)
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
    return redirect_with_message(f"/web/batches/{batch_id}", message)
