"""`create_app(settings)`: the FastAPI app, its warm services and one error handler."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from crossverify.api.deps import Services, allowed_roles
from crossverify.api.routes import batches, health, holds, ledger, lookups, recalls, reports
from crossverify.config import Settings
from crossverify.errors import CrossverifyError
from crossverify.jobs import make_runner
from crossverify.lookup import LookupEngine
from crossverify.policy import load_policy
from crossverify.store.engine import make_engine, migrate, session_factory
from crossverify.web import recall_pages
from crossverify.web import routes as web_routes

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", *web_routes.PUBLIC_PAGES})
ROUTERS = (
    health.router,
    batches.router,
    lookups.router,
    ledger.router,
    holds.router,
    recalls.router,
    reports.router,
)
# Pages: session login; roles declared with page_allow(...).
PAGE_ROUTERS = (web_routes.router, recall_pages.router)


def route_table(
    routers: Sequence[APIRouter] | None = None,
) -> dict[tuple[str, str], frozenset[str]]:
    """(method, path) -> roles admitted, for every route and page; public ones map to the empty set.

    Built from the routers alone (no store needed), so tests can parametrise over it.
    """
    if routers is None:
        routers = (*ROUTERS, *PAGE_ROUTERS)
    table: dict[tuple[str, str], frozenset[str]] = {}
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            roles: frozenset[str] = frozenset()
            for dep in route.dependant.dependencies:
                found = allowed_roles(dep.call) if dep.call is not None else None
                if found is not None:
                    roles = frozenset(str(r) for r in found)
            for method in route.methods or ():
                table[(method, route.path)] = roles
    return table


def _check_deny_by_default() -> None:
    """Refuse to start when a route has no role check (it would be open to everyone)."""
    open_routes = [
        f"{m} {p}" for (m, p), roles in route_table().items() if not roles and p not in PUBLIC_PATHS
    ]
    if open_routes:
        raise RuntimeError(f"routes without allow(...): {', '.join(sorted(open_routes))}")


def create_app(settings: Settings | None = None, *, run_worker: bool = True) -> FastAPI:
    """Build the app; opens the store and policy now, the DuckDB connection on first lookup.

    Args:
        settings: where things live; default from the environment.
        run_worker: run queued batches in a background thread of this process (the
            embedded default); False when a separate `crossverify worker` runs them.
    """
    settings = settings or Settings()
    engine = make_engine(settings.store_url)
    migrate(engine)
    sessions = session_factory(engine)
    policy = load_policy(settings.policy_file)
    services = Services(
        settings=settings,
        policy=policy,
        sessions=sessions,
        runner=make_runner(sessions=sessions, settings=settings, policy=policy),
        lookups=LookupEngine(settings=settings),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_worker:
            services.runner.start()
        yield
        services.runner.shutdown()
        services.lookups.close()
        engine.dispose()

    app = FastAPI(
        title="crossverify",
        version="1",
        summary="Taxpayer-address cross-verification for signed enforcement requests.",
        lifespan=lifespan,
    )
    app.state.services = services

    @app.exception_handler(CrossverifyError)
    async def domain_error(_request: Request, exc: CrossverifyError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content={"detail": exc.message})

    for router in ROUTERS:
        app.include_router(router)
    # Pages: cookie sessions signed with itsdangerous; a random secret logs everyone out
    # on restart, so production sets CROSSVERIFY_SESSION_SECRET.
    secret = os.environ.get("CROSSVERIFY_SESSION_SECRET") or secrets.token_urlsafe(32)
    app.add_middleware(SessionMiddleware, secret_key=secret, same_site="strict", https_only=False)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(web_routes.__file__).parent / "static"))
    _check_deny_by_default()
    return app
