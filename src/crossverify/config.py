"""One Settings object for the whole system; read from the environment (CROSSVERIFY_*)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where things live and how much of the machine the engines may use."""

    model_config = SettingsConfigDict(env_prefix="CROSSVERIFY_", frozen=True)

    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file under data_dir
    policy_file: Path = Path("var/policy.toml")
    engine: Literal["duckdb", "spark"] = "duckdb"  # where pairs are scored (docs/spark.md)
    # Spark (engine = "spark"). An empty spark_master leaves it to spark-submit's --master.
    spark_master: str = "local[2]"
    # Where Spark reads the master Parquet: a path or a URI (s3a://bucket/master/master.parquet);
    # empty: data_dir/master/master.parquet.
    master_parquet_uri: str = ""
    spark_checkpoint_dir: str = ""  # empty: data_dir/spark/checkpoints; shared storage on a cluster
    spark_shuffle_partitions: int = 4
    spark_driver_memory: str = "2g"  # local mode only; spark-submit sets it on a cluster
    duckdb_memory_limit: str = "8GB"
    duckdb_threads: int = 2
    run_chunk_rows: int = 100_000  # a batch runs in chunks this size; a rerun resumes

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

    @property
    def spark_master_parquet(self) -> str:
        """Where Spark reads the master Parquet (`master load` writes data_dir/master/...)."""
        return self.master_parquet_uri or str(self.master_dir / "master.parquet")

    @property
    def spark_checkpoints(self) -> str:
        return self.spark_checkpoint_dir or str(self.data_dir / "spark" / "checkpoints")

    @field_validator("master_parquet_uri", "spark_checkpoint_dir")
    @classmethod
    def _path_or_uri(cls, value: str) -> str:
        """A local path, or scheme://... (s3a, hdfs, abfss, gs, file) that Spark can read."""
        scheme, sep, rest = value.partition("://")
        if sep and not (re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme) and rest):
            raise ValueError(f"not a path or a URI: {value!r}")
        return value
