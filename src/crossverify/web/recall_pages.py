"""Pages for recalls and the oversight report; they call the recall and oversight functions.

Also gives the batch and record pages their recall marks (`recall_marks` in templates), so a
recalled record shows as recalled in every later view.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from crossverify.api.deps import ServicesDep, SessionDep
from crossverify.errors import CrossverifyError
from crossverify.oversight.render import render_html
from crossverify.oversight.report import build_report
from crossverify.recall import (
    BatchRecallFigures,
    batch_recall_figures,
    certify_recall,
    recall_status,
    recall_statuses,
    visible_recall,
)
from crossverify.store import repos
from crossverify.store.tables import Role, User, utc_now
from crossverify.web.routes import (
    check_csrf,
    page_allow,
    redirect_with_message,
    render_page,
    templates,
)

router = APIRouter(prefix="/web", include_in_schema=False)
Reader = Annotated[User, page_allow(Role.REQUESTER, Role.OFFICER, Role.AUDITOR, Role.ADMIN)]
RecallId = Annotated[str, PathParam(min_length=1, max_length=64)]


def recall_marks(request: Request, batch_id: str) -> BatchRecallFigures:
    """A batch's recall figures, for the batch and record pages (their own short session)."""
    with request.app.state.services.sessions() as session:
        return batch_recall_figures(session=session, batch_id=batch_id)


templates.env.globals["recall_marks"] = recall_marks


@router.get("/recalls")
def recalls_page(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    user: Reader,
    overdue: bool = False,
) -> Response:
    """Recalls with their status; a requester sees its own agency's only."""
    agency = user.agency if user.role == Role.REQUESTER.value else None
    statuses = recall_statuses(
        session=session, agency=agency, overdue_only=overdue, policy=services.policy
    )
    return render_page(
        request,
        "recalls.html",
        statuses=statuses,
        overdue=overdue,
        certify_days=services.policy.recall_certify_within_days,
    )


@router.get("/recalls/{recall_id}")
def recall_page(
    recall_id: RecallId,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    user: Reader,
) -> Response:
    visible_recall(session=session, recall_id=recall_id, username=user.username)
    status = recall_status(session=session, recall_id=recall_id, policy=services.policy)
    return render_page(
        request,
        "recall.html",
        s=status,
        items=repos.recall_items(session=session, recall_id=recall_id),
        can_certify=user.role == Role.REQUESTER.value and status.certification is None,
        message=request.query_params.get("message"),
    )


@router.post("/recalls/{recall_id}/certify")
def certify_form(
    recall_id: RecallId,
    *,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    user: Annotated[User, page_allow(Role.REQUESTER)],
    csrf: Annotated[str, Form()],
    statement: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, session, user, csrf)
    try:
        certify_recall(
            session=session,
            recall_id=recall_id,
            username=user.username,
            statement=statement,
            policy=services.policy,
        )
        message = "Destruction certified."
    except CrossverifyError as exc:
        message = f"Not done: {exc.message}"
    return redirect_with_message(f"/web/recalls/{recall_id}", message)


@router.get("/reports/oversight")
def oversight_page(
    session: SessionDep,
    user: Annotated[User, page_allow(Role.AUDITOR)],
    first_day: Annotated[date | None, Query(alias="from")] = None,
    last_day: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """The oversight report as the CLI writes it (print it to PDF from the browser)."""
    today = utc_now().date()
    report = build_report(
        session=session,
        first_day=first_day or today.replace(month=1, day=1),
        last_day=last_day or today,
    )
    return HTMLResponse(render_html(report))
