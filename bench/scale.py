"""`python -m bench.scale [--persons 1000000,10000000]`: the whole flow at scale.

Per size, each step in its own child process (see `bench._proc`): generate (`synth`: the
master file and a batch of 12.8% of the persons: 1.28 million requests at 10 million),
`load`, `train`, then `batch`: the batch through the pipeline as the worker runs it (submit
with intake, the chunked run, approve, lower scope to the policy's cap, release), on the
embedded SQLite store, with each stage's seconds. At 1M persons the plain Splink recipe runs
on the same accepted rows and master file for comparison. Not part of `make bench`: the 10M
size takes most of an hour on this machine (`make bench-scale`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

REQUEST_SHARE = 0.128  # 1.28M requests for 10M persons, the size of the largest batch on record
PLAIN_UP_TO = 1_000_000  # the plain Splink comparison runs at this size and below
TODAY = date(2026, 11, 1)  # the generated batches' removal orders are older than this


def task_batch(args: dict[str, Any]) -> dict[str, Any]:
    """Submit, run (chunked), approve, lower scope to the cap, release; seconds per stage."""
    import pandas as pd
    import pyarrow.parquet as pq

    from crossverify.config import Settings
    from crossverify.evaluate import evaluate, read_truth
    from crossverify.pipeline import (
        ACCEPTED_FILE,
        STAGE_SECONDS_FILE,
        approve_batch,
        lower_scope_to_cap,
        release_batch,
        run_batch,
        submit_batch,
    )
    from crossverify.policy import load_policy
    from crossverify.store import repos
    from crossverify.store.engine import make_engine, migrate, session_factory

    data_dir, synth_dir = Path(args["data_dir"]), Path(args["synth_dir"])
    settings = Settings(data_dir=data_dir, policy_file=synth_dir / "policy.toml")
    policy = load_policy(settings.policy_file)
    engine = make_engine(settings.store_url)
    migrate(engine)
    seconds: dict[str, float] = {}
    started_all = time.perf_counter()
    with session_factory(engine)() as session:
        agency = policy.signers[0].agency
        repos.add_user(session=session, username="requester", role="requester", agency=agency)
        repos.add_user(session=session, username="officer", role="officer")
        session.commit()
        submitted = submit_batch(
            session=session,
            settings=settings,
            policy=policy,
            request_file=synth_dir / "requests.csv",
            manifest_file=synth_dir / "requests.manifest.json",
            username="requester",
            today=TODAY,
        )
        batch_id = submitted.batch_id
        decided = run_batch(session=session, settings=settings, policy=policy, batch_id=batch_id)
        folder = settings.batches_dir / batch_id
        seconds.update(json.loads((folder / STAGE_SECONDS_FILE).read_text()))
        outcomes = pd.DataFrame(
            [
                {k: r[k] for k in ("request_id", "outcome", "tin", "tax_year")}
                for r in repos.iter_outcome_rows(session=session, batch_id=batch_id)
            ]
        )
        quality = evaluate(
            outcomes,
            read_truth(synth_dir / "truth.csv"),
            expected_wrong_matches=decided.expected_wrong_matches or 0.0,
        )
        started = time.perf_counter()
        approve_batch(session=session, batch_id=batch_id, username="officer", policy=policy)
        scope = lower_scope_to_cap(
            session=session, batch_id=batch_id, username="officer", policy=policy
        )
        package = release_batch(
            session=session, settings=settings, batch_id=batch_id, username="officer", policy=policy
        )
        seconds["approve_and_release"] = round(time.perf_counter() - started, 2)
        withheld = repos.refused_request_ids(session=session, batch_id=batch_id)
        released = evaluate(
            outcomes.assign(
                outcome=outcomes["outcome"].where(~outcomes["request_id"].isin(withheld), "N2")
            ),
            read_truth(synth_dir / "truth.csv"),
            expected_wrong_matches=0.0,
        )
    engine.dispose()
    total = time.perf_counter() - started_all
    accepted = pq.read_table(folder / ACCEPTED_FILE)
    pq.write_table(
        accepted.append_column("request_row", accepted["row_number"]),
        data_dir / "accepted.parquet",
    )
    return {
        "rows": submitted.rows_read,
        "accepted": accepted.num_rows,
        "seconds": round(total, 2),
        "rows_per_s": round(submitted.rows_read / total),
        "seconds_per_stage": seconds,
        "counts": decided.counts,
        "disclosed": quality.disclosed,
        "wrong": quality.wrong,
        "precision": round(quality.precision, 5),
        "recall": round(quality.recall, 5),
        "expected_wrong": round(quality.expected_wrong_matches, 2),
        "withheld_by_scope": scope.withheld if scope is not None else 0,
        # What left in the package, after the officer lowered the scope to the policy's cap.
        "released_disclosed": released.disclosed,
        "released_wrong": released.wrong,
        "released_precision": round(released.precision, 5),
        "released_recall": round(released.recall, 5),
        "package_sha256": package.zip_sha256,
    }


def _label(persons: int) -> str:
    return f"{persons // 1_000_000}M" if persons % 1_000_000 == 0 else f"{persons:,}"


def run_size(runner: Any, persons: int, *, reuse_synth: bool = False) -> dict[str, Any]:
    """The steps for one size; a failed step stops the ones that need it. With
    `reuse_synth`, the files and the recorded numbers of an earlier generation in the same
    work folder stand in for generating again."""
    requests = round(persons * REQUEST_SHARE)
    label = f"scale-{_label(persons)}"
    synth_dir, var = runner.work / f"{label}-synth", runner.work / f"{label}-var"
    shutil.rmtree(var, ignore_errors=True)  # a fresh store and master each run
    var.mkdir(parents=True)
    entry: dict[str, Any] = {"persons": persons, "requests": requests}
    earlier = runner.results.get(f"scale/{persons}", {}).get("synth", {})
    if reuse_synth and earlier.get("ok") and (synth_dir / "requests.manifest.json").exists():
        print(f"[bench] {label}-synth: reusing {synth_dir}", flush=True)
        entry["synth"] = earlier
    else:
        synth = runner.step(
            "synth",
            {"out_dir": str(synth_dir), "persons": persons, "requests": requests},
            label=f"{label}-synth",
        )
        entry["synth"] = synth.as_dict()
        if not synth.ok:
            return entry
    master = synth_dir / "master.parquet"
    for step in ("load", "train"):
        args = {"data_dir": str(var), "master": str(master)}
        result = runner.step(step, args, label=f"{label}-{step}")
        entry[step] = result.as_dict()
        if not result.ok:
            return entry
    batch = runner.step(
        "scale_batch", {"data_dir": str(var), "synth_dir": str(synth_dir)}, label=f"{label}-batch"
    )
    entry["batch"] = batch.as_dict()
    if batch.ok and persons <= PLAIN_UP_TO:
        plain = runner.step(
            "plain",
            {
                "data_dir": str(var),
                "master": str(master),
                "accepted": str(var / "accepted.parquet"),
                "policy": str(synth_dir / "policy.toml"),
                "truth": str(synth_dir / "truth.csv"),
            },
            label=f"{label}-plain",
        )
        entry["plain"] = plain.as_dict()
    return entry


def main(argv: list[str] | None = None) -> int:
    from bench import report
    from bench.__main__ import ROOT, Runner

    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument(
        "--persons", default="1000000,10000000", help="comma-separated sizes (persons on file)"
    )
    parser.add_argument(
        "--reuse-synth",
        action="store_true",
        help="keep the generated files and their numbers from an earlier run in --work-dir",
    )
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "out" / "scale")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--results", type=Path, default=ROOT / "docs" / "benchmarks.json")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.persons.split(",") if s.strip()]
    results: dict[str, Any] = json.loads(args.results.read_text()) if args.results.exists() else {}

    def save() -> None:
        args.results.write_text(json.dumps(results, indent=2) + "\n")

    args.work_dir.mkdir(parents=True, exist_ok=True)
    runner = Runner(args.work_dir, results, save)
    for persons in sizes:
        runner.record(f"scale/{persons}", run_size(runner, persons, reuse_synth=args.reuse_synth))
    args.doc.write_text(report.render(results, machine=report.machine()), encoding="utf-8")
    print(f"[bench] wrote {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
