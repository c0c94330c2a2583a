"""`make demo`: the whole mission once, end to end, on generated data with the embedded default."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd
from rich.console import Console
from rich.table import Table

from crossverify.config import Settings
from crossverify.evaluate import Evaluation, evaluate, read_truth
from crossverify.link.backend import make_duckdb
from crossverify.link.train import train_model
from crossverify.master.load import MASTER_PARQUET, load_master
from crossverify.pipeline import (
    approve_batch,
    lower_scope,
    release_batch,
    run_batch,
    scope_within_cap,
    submit_batch,
)
from crossverify.policy import load_policy
from crossverify.store import repos
from crossverify.store.engine import make_engine, migrate, session_factory
from crossverify.synth import generate

T = TypeVar("T")
AGENCY = "U.S. Immigration and Customs Enforcement"


def run_demo(
    *, out_dir: Path, persons: int, requests: int, seed: int, console: Console
) -> Evaluation:
    if out_dir.exists():
        shutil.rmtree(out_dir)
    settings = Settings(data_dir=out_dir / "var", policy_file=out_dir / "var" / "policy.toml")
    settings.data_dir.mkdir(parents=True)
    step = _stepper(console)

    synth_dir = out_dir / "synth"
    result = step(
        f"generate {persons:,} persons, {requests:,} requests",
        lambda: generate(out_dir=synth_dir, persons=persons, requests=requests, seed=seed),
    )
    shutil.copyfile(synth_dir / "policy.toml", settings.policy_file)
    policy = load_policy(settings.policy_file)
    info = step(
        "load and standardize the master file",
        lambda: load_master(source=result.master_path, out_dir=settings.master_dir),
    )
    console.print(f"    {info.rows_loaded:,} address-year rows, {info.taxpayers:,} taxpayers")
    con = make_duckdb(settings)
    step(
        "train the linkage model (once per master file)",
        lambda: train_model(
            con=con,
            master_parquet=settings.master_dir / MASTER_PARQUET,
            master_id=info.master_id,
            out_dir=settings.models_dir,
        ),
    )
    con.close()

    engine = make_engine(settings.store_url)
    migrate(engine)
    with session_factory(engine)() as session:
        repos.add_user(session=session, username="requester", role="requester", agency=AGENCY)
        repos.add_user(session=session, username="officer", role="officer")
        session.commit()
        submitted = step(
            "submit the signed batch (verify signature, validate rows)",
            lambda: submit_batch(
                session=session,
                settings=settings,
                policy=policy,
                request_file=result.requests_path,
                manifest_file=result.manifest_path,
                username="requester",
            ),
        )
        batch_id = submitted.batch_id
        decided = step(
            "run: standardize, link, decide",
            lambda: run_batch(session=session, settings=settings, policy=policy, batch_id=batch_id),
        )
        step(
            "approve (a second user, an officer)",
            lambda: approve_batch(session=session, batch_id=batch_id, username="officer"),
        )
        scope = scope_within_cap(session=session, batch_id=batch_id, policy=policy)
        if scope is not None:  # over the policy's expected-wrong cap: withhold the least sure
            min_confidence = scope
            step(
                f"lower scope: withhold disclosures below confidence {min_confidence:g}",
                lambda: lower_scope(
                    session=session,
                    batch_id=batch_id,
                    min_confidence=min_confidence,
                    username="officer",
                    policy=policy,
                ),
            )
        package = step(
            "release: package + ledger",
            lambda: release_batch(
                session=session,
                settings=settings,
                batch_id=batch_id,
                username="officer",
                policy=policy,
            ),
        )
        outcomes = pd.DataFrame(
            [dict(r) for r in repos.iter_outcome_rows(session=session, batch_id=batch_id)]
        )
    engine.dispose()
    evaluation = evaluate(
        outcomes,
        read_truth(result.truth_path),
        expected_wrong_matches=decided.expected_wrong_matches or 0.0,
    )
    _print_summary(console, decided.counts, evaluation, package.zip_path)
    return evaluation


def _stepper(console: Console) -> Callable[[str, Callable[[], T]], T]:
    def step(label: str, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        with console.status(f"{label} ..."):
            value = work()
        console.print(f"[green]done[/green] {label} ({time.perf_counter() - started:.1f} s)")
        return value

    return step


def _print_summary(console: Console, counts: dict[str, int], ev: Evaluation, package: Path) -> None:
    table = Table(title="Batch outcomes")
    table.add_column("outcome")
    table.add_column("rows", justify="right")
    for code in sorted(counts):
        table.add_row(code, f"{counts[code]:,}")
    console.print(table)
    quality = Table(title="Against the truth file (synthetic data only)")
    quality.add_column("measure")
    quality.add_column("value", justify="right")
    quality.add_row("addresses disclosed", f"{ev.disclosed:,}")
    quality.add_row("expected wrong matches (model)", f"{ev.expected_wrong_matches:.2f}")
    quality.add_row("wrong person disclosed (truth)", f"{ev.wrong:,}")
    quality.add_row("precision", f"{ev.precision:.4f}")
    quality.add_row("recall (on file, address in period)", f"{ev.recall:.4f}")
    console.print(quality)
    if ev.wrong_by_scenario:
        console.print(f"wrong by scenario: {ev.wrong_by_scenario}")
    console.print(f"response package: {package}")
