"""Small generated data sets shared by the synth tests (generation takes well under a second)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crossverify.synth import SynthResult, generate

PERSONS, REQUESTS = 2_000, 800


@pytest.fixture(scope="session")
def synth_size() -> tuple[int, int]:
    """(persons, requests) of the shared run."""
    return PERSONS, REQUESTS


@pytest.fixture(scope="session")
def synth_run(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(out_dir=tmp_path_factory.mktemp("synth_a"), persons=PERSONS, requests=REQUESTS)


@pytest.fixture(scope="session")
def master(synth_run: SynthResult) -> pd.DataFrame:
    return pd.read_parquet(synth_run.master_path)


def read_csv(path: Path) -> pd.DataFrame:
    """Every column as text, empty cells as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def requests_frame(synth_run: SynthResult) -> pd.DataFrame:
    return read_csv(synth_run.requests_path)


@pytest.fixture(scope="session")
def truth(synth_run: SynthResult) -> pd.DataFrame:
    return read_csv(synth_run.truth_path)
