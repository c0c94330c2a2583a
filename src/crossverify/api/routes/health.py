"""Liveness and readiness: the only routes open without a token."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from crossverify.api.deps import ServicesDep
from crossverify.api.schemas import Health
from crossverify.errors import CrossverifyError
from crossverify.matching import current_model_path

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(services: ServicesDep) -> JSONResponse:
    """The store answers and a model is trained: the service can decide requests."""
    try:
        with services.sessions() as session:
            session.execute(text("SELECT 1"))
        current_model_path(services.settings.models_dir)
    except (CrossverifyError, OSError, SQLAlchemyError) as exc:
        return JSONResponse(status_code=503, content={"status": f"not ready: {exc}"})
    return JSONResponse(content={"status": "ready"})
