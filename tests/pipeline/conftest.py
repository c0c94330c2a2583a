"""One small generated world, run end to end once per session (SQLite + DuckDB + Splink)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crossverify.config import Settings
from crossverify.link.backend import make_duckdb
from crossverify.link.train import train_model
from crossverify.master.load import MASTER_PARQUET, load_master
from crossverify.pipeline import BatchSummary, run_batch, submit_batch
from crossverify.policy import Policy, load_policy
from crossverify.store import repos
from crossverify.store.engine import make_engine, migrate, session_factory
from crossverify.synth import SynthResult, generate

AGENCY = "U.S. Immigration and Customs Enforcement"


@dataclass(frozen=True)
class World:
    settings: Settings
    policy: Policy
    synth: SynthResult
    sessions: sessionmaker[Session]
    decided: BatchSummary


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("world")
    synth = generate(out_dir=root / "synth", persons=6_000, requests=800, seed=11)
    settings = Settings(data_dir=root / "var", policy_file=synth.policy_path)
    policy = load_policy(settings.policy_file)
    info = load_master(source=synth.master_path, out_dir=settings.master_dir)
    con = make_duckdb(settings)
    train_model(
        con=con,
        master_parquet=settings.master_dir / MASTER_PARQUET,
        master_id=info.master_id,
        out_dir=settings.models_dir,
        max_pairs=2e6,
    )
    con.close()
    engine = make_engine(settings.store_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        repos.add_user(session=session, username="requester", role="requester", agency=AGENCY)
        repos.add_user(session=session, username="officer", role="officer")
        repos.add_user(session=session, username="officer2", role="officer")
        session.commit()
        submitted = submit_batch(
            session=session,
            settings=settings,
            policy=policy,
            request_file=synth.requests_path,
            manifest_file=synth.manifest_path,
            username="requester",
        )
        decided = run_batch(
            session=session, settings=settings, policy=policy, batch_id=submitted.batch_id
        )
    yield World(settings, policy, synth, sessions, decided)
    engine.dispose()
