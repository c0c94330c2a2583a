"""One Settings object for the whole system; read from the environment (CROSSVERIFY_*)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where things live and how much of the machine the engines may use."""

    model_config = SettingsConfigDict(env_prefix="CROSSVERIFY_", frozen=True)

    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file under data_dir
    policy_file: Path = Path("var/policy.toml")
    engine: Literal["duckdb", "spark"] = "duckdb"
    duckdb_memory_limit: str = "8GB"
    duckdb_threads: int = 2
    run_chunk_rows: int = 250_000  # a batch runs in chunks this size; a rerun resumes

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'crossverify.db'}"

    @property
    def master_dir(self) -> Path:
        return self.data_dir / "master"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def batches_dir(self) -> Path:
        return self.data_dir / "batches"
