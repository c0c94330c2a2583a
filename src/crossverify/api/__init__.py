"""The HTTP API (FastAPI): thin routes over `pipeline`, `lookup` and the store."""

from crossverify.api.app import create_app

__all__ = ["create_app"]
