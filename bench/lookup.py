"""On-demand lookup latency: `POST /v1/lookups` against a loaded master file and model.

Measured as a requesting agency's system sees it: `crossverify serve` (uvicorn) runs in its
own process and the calls go over a keep-alive HTTP connection on 127.0.0.1, through the
whole app (token check, role check, validation, `LookupEngine`, ledger accounting, JSON
response). One warm-up call first (it opens the DuckDB connection and the master index);
then `singles` calls of one record and `batches` calls of `batch_size` records, each timed
on its own by the client.
"""

from __future__ import annotations

import csv
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

AGENCY = "U.S. Immigration and Customs Enforcement"
TARGETS_MS = {"single_p50": 20.0, "single_p99": 100.0}
READY_TIMEOUT_S = 60.0


def _percentiles(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)

    def at(q: float) -> float:
        # Nearest rank: the value below which q of the calls fall.
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {
        "calls": len(ordered),
        "p50_ms": round(at(0.50), 1),
        "p95_ms": round(at(0.95), 1),
        "p99_ms": round(at(0.99), 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "max_ms": round(ordered[-1], 1),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _token(database_url: str) -> str:
    from crossverify.store import repos
    from crossverify.store.engine import make_engine, migrate, session_factory
    from crossverify.store.tokens import new_token

    engine = make_engine(database_url)
    migrate(engine)
    with session_factory(engine)() as session:
        user = repos.add_user(session=session, username="bench", role="requester", agency=AGENCY)
        session.flush()
        token = new_token(session=session, user=user, label="bench")[1]
        session.commit()
    engine.dispose()
    return token


def _wait_ready(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"crossverify serve exited with {server.returncode}")
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"crossverify serve not ready after {READY_TIMEOUT_S:.0f} s")


def task(args: dict[str, Any]) -> dict[str, Any]:
    """Time lookups; `data_dir` holds the master and model (`load`, `train` tasks)."""
    import httpx

    from crossverify.config import Settings
    from crossverify.master.load import read_master_info

    data_dir = Path(args["data_dir"])
    singles, batches = int(args.get("singles", 1000)), int(args.get("batches", 1000))
    batch_size = int(args.get("batch_size", 25))
    database = data_dir / "lookup-bench.db"
    database.unlink(missing_ok=True)
    settings = Settings(
        data_dir=data_dir, policy_file=Path(args["policy"]), database_url=f"sqlite:///{database}"
    )
    token = _token(settings.store_url)
    with Path(args["requests"]).open(newline="", encoding="utf-8") as handle:
        records = [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(handle)]
    port = _free_port()
    env = {
        **os.environ,
        "CROSSVERIFY_DATA_DIR": str(settings.data_dir),
        "CROSSVERIFY_POLICY_FILE": str(settings.policy_file),
        "CROSSVERIFY_DATABASE_URL": settings.database_url,
    }
    command = [
        str(Path(sys.executable).parent / "crossverify"),
        "serve",
        "--port",
        str(port),
        "--no-worker",
    ]
    outcomes: dict[str, int] = {}
    with (data_dir / "lookup-serve.log").open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60.0,
            ) as client:
                _wait_ready(client, server)

                def call(chunk: list[dict[str, Any]]) -> float:
                    started = time.perf_counter()
                    response = client.post("/v1/lookups", json={"records": chunk})
                    elapsed = (time.perf_counter() - started) * 1000
                    response.raise_for_status()
                    for o in response.json()["outcomes"]:
                        outcomes[o["outcome"]] = outcomes.get(o["outcome"], 0) + 1
                    return elapsed

                warm_up_ms = call(records[:1])
                single_ms = [call([records[(1 + i) % len(records)]]) for i in range(singles)]
                batch_ms = [
                    call([records[(i * batch_size + j) % len(records)] for j in range(batch_size)])
                    for i in range(batches)
                ]
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    info = read_master_info(settings.master_dir)
    single = _percentiles(single_ms)
    return {
        "how": "crossverify serve (uvicorn) in its own process; httpx keep-alive over 127.0.0.1",
        "persons": args.get("persons"),
        "master_rows": info.rows_loaded,
        "taxpayers": info.taxpayers,
        "warm_up_ms": round(warm_up_ms, 1),
        "single": single,
        "batch": {**_percentiles(batch_ms), "records_per_call": batch_size},
        "outcomes": outcomes,
        "targets_met": {
            "single_p50": single["p50_ms"] < TARGETS_MS["single_p50"],
            "single_p99": single["p99_ms"] < TARGETS_MS["single_p99"],
        },
    }
