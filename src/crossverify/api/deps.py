"""Dependencies: a session per request, the token's user, and role checks.

Deny by default: every route under /v1 must declare `allow(...)`; `create_app` refuses
to start otherwise. Every refusal (401/403) is an audit event in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from crossverify.config import Settings
from crossverify.jobs import Runner
from crossverify.ledger import record as ledger
from crossverify.lookup import LookupEngine
from crossverify.policy import Policy
from crossverify.store import repos
from crossverify.store.tables import Batch, Role, User
from crossverify.store.tokens import user_for_token


@dataclass
class Services:
    """What the app keeps warm between requests (in `app.state.services`)."""

    settings: Settings
    policy: Policy
    sessions: sessionmaker[Session]
    runner: Runner
    lookups: LookupEngine


async def get_services(request: Request) -> Services:
    # async: a sync dependency costs a hop to the thread pool (~0.2 ms) on every request.
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    with services.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
_bearer = HTTPBearer(auto_error=False)


def refuse(
    session: Session,
    *,
    status: int,
    actor: str,
    reason: str,
    request: Request,
    batch_id: str | None = None,
) -> HTTPException:
    """Record the refusal in the ledger and return the HTTP error to raise."""
    session.rollback()
    ledger.record_event(
        session=session,
        action="refusal",
        actor=actor,
        batch_id=batch_id,
        success=False,
        detail={
            "status": status,
            "reason": reason,
            "method": request.method,
            "path": request.url.path,
        },
    )
    session.commit()
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return HTTPException(status_code=status, detail=reason, headers=headers)


def current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user of a live bearer token; 401 otherwise."""
    if credentials is None:
        raise refuse(
            session, status=401, actor="anonymous", reason="no bearer token", request=request
        )
    user = user_for_token(session=session, token=credentials.credentials)
    if user is None:
        raise refuse(
            session,
            status=401,
            actor="anonymous",
            reason="unknown or revoked token",
            request=request,
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def allow(*roles: Role) -> Any:
    """A route dependency that admits only these roles (and marks the route as checked)."""

    def check(request: Request, session: SessionDep, user: CurrentUser) -> User:
        if user.role not in roles:
            raise refuse(
                session,
                status=403,
                actor=user.username,
                reason=f"role {user.role} may not do this; it needs "
                + " or ".join(r.value for r in roles),
                request=request,
            )
        return user

    check.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return Depends(check)


def allowed_roles(dependency: Callable[..., Any]) -> frozenset[Role] | None:
    """The roles an `allow(...)` dependency admits; None for any other dependency."""
    roles = getattr(dependency, "allowed_roles", None)
    return roles if isinstance(roles, frozenset) else None


def batch_for(session: Session, *, user: User, batch_id: str, request: Request) -> Batch:
    """The batch, if this user may see it: a requester only sees its own agency's."""
    batch = repos.get_batch(session=session, batch_id=batch_id)
    if user.role == Role.REQUESTER.value and batch.agency != user.agency:
        raise refuse(
            session,
            status=403,
            actor=user.username,
            reason="batch of another agency",
            request=request,
            batch_id=batch_id,
        )
    return batch
