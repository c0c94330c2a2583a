"""On-demand lookup latency: `POST /v1/lookups` against a loaded master file and model.

Measured in-process through the FastAPI TestClient: the request goes through the whole app
(token check, role check, validation, `LookupEngine`, ledger accounting, JSON response) but
no socket. One warm-up call first (it opens the DuckDB connection); then `singles` calls of
one record and `batches` calls of `batch_size` records, each timed on its own.
"""

from __future__ import annotations

import csv
import logging
import statistics
import time
from pathlib import Path
from typing import Any

AGENCY = "U.S. Immigration and Customs Enforcement"
TARGETS_MS = {"single_p50": 20.0, "single_p99": 100.0}


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


def task(args: dict[str, Any]) -> dict[str, Any]:
    """Time lookups; `data_dir` holds the master and model (`load`, `train` tasks)."""
    from fastapi.testclient import TestClient

    from crossverify.api import create_app
    from crossverify.config import Settings
    from crossverify.master.load import read_master_info
    from crossverify.store import repos
    from crossverify.store.engine import make_engine, migrate, session_factory
    from crossverify.store.tokens import new_token

    logging.getLogger("splink").setLevel(logging.ERROR)
    data_dir = Path(args["data_dir"])
    singles, batches = int(args.get("singles", 1000)), int(args.get("batches", 1000))
    batch_size = int(args.get("batch_size", 25))
    settings = Settings(
        data_dir=data_dir,
        policy_file=Path(args["policy"]),
        database_url=f"sqlite:///{data_dir / 'lookup-bench.db'}",
    )
    (data_dir / "lookup-bench.db").unlink(missing_ok=True)
    engine = make_engine(settings.store_url)
    migrate(engine)
    with session_factory(engine)() as session:
        user = repos.add_user(session=session, username="bench", role="requester", agency=AGENCY)
        session.flush()
        token = new_token(session=session, user=user, label="bench")[1]
        session.commit()
    engine.dispose()
    with Path(args["requests"]).open(newline="", encoding="utf-8") as handle:
        records = [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(handle)]
    headers = {"Authorization": f"Bearer {token}"}
    outcomes: dict[str, int] = {}

    def call(chunk: list[dict[str, Any]]) -> float:
        started = time.perf_counter()
        response = client.post("/v1/lookups", headers=headers, json={"records": chunk})
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        for o in response.json()["outcomes"]:
            outcomes[o["outcome"]] = outcomes.get(o["outcome"], 0) + 1
        return elapsed

    with TestClient(create_app(settings, run_worker=False)) as client:
        warm_up_ms = call(records[:1])
        single_ms = [call([records[(1 + i) % len(records)]]) for i in range(singles)]
        batch_ms = [
            call([records[(i * batch_size + j) % len(records)] for j in range(batch_size)])
            for i in range(batches)
        ]
    info = read_master_info(settings.master_dir)
    single = _percentiles(single_ms)
    return {
        "how": "in-process, FastAPI TestClient (no socket)",
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
