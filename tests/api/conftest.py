"""API fixtures: the pipeline's small world, served by the app, with one user per role."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossverify.api import create_app
from crossverify.store import repos
from crossverify.store.tokens import new_token

# The session-scoped world of tests/pipeline (synth -> master -> model -> users -> run), reused.
_spec = importlib.util.spec_from_file_location(
    "_pipeline_conftest", Path(__file__).parent.parent / "pipeline" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_pipeline = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _pipeline
_spec.loader.exec_module(_pipeline)
world = _pipeline.world
World = _pipeline.World
AGENCY: str = _pipeline.AGENCY
OTHER_AGENCY = "U.S. Marshals Service"


@dataclass(frozen=True)
class Api:
    client: TestClient
    tokens: dict[str, str]  # username -> bearer token
    world: World  # type: ignore[valid-type]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


API_USERS = {
    "api_requester": ("requester", AGENCY),
    "api_other_requester": ("requester", OTHER_AGENCY),
    "api_officer": ("officer", None),
    "api_auditor": ("auditor", None),
    "api_admin": ("admin", None),
}


@pytest.fixture(scope="session")
def api(world: World) -> Iterator[Api]:  # type: ignore[valid-type]
    tokens: dict[str, str] = {}
    with world.sessions() as session:
        for username, (role, agency) in API_USERS.items():
            user = repos.add_user(session=session, username=username, role=role, agency=agency)
            session.flush()
            tokens[username] = new_token(session=session, user=user, label="test")[1]
        officer = repos.get_user_by_name(session=session, username="officer")
        tokens["officer"] = new_token(session=session, user=officer)[1]
        requester = repos.get_user_by_name(session=session, username="requester")
        tokens["requester"] = new_token(session=session, user=requester)[1]
        session.commit()
    app = create_app(world.settings)
    with TestClient(app) as client:
        yield Api(client, tokens, world)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, with the flags that keep it quiet here (NOTES.md)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def live_server(api: Api) -> Iterator[str]:
    """The same app served by uvicorn in a thread, for the browser."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(api.client.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
