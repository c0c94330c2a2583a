"""The only place that builds a Splink database API, and the only one to import pyspark.

pyspark is imported inside the Spark functions: the DuckDB engine never loads it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
from splink import DuckDBAPI

from crossverify.config import Settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from splink import SparkAPI


def make_duckdb(settings: Settings) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB sized by configuration; spills to data_dir/tmp when memory runs out."""
    spill = settings.data_dir / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
    con.execute(f"SET threads = {int(settings.duckdb_threads)}")
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def make_db_api(con: duckdb.DuckDBPyConnection) -> DuckDBAPI:
    return DuckDBAPI(connection=con)


@dataclass(frozen=True)
class SparkLink:
    """A Spark session with Splink's functions, the master file it reads, and a local folder
    on the driver for what it hands back to DuckDB."""

    session: SparkSession
    master_parquet: str
    handoff_dir: Path

    def db_api(self) -> SparkAPI:
        from splink import SparkAPI

        # Registers Splink's UDFs (damerau_levenshtein, ...) from the jar on the session.
        return SparkAPI(spark_session=self.session)  # type: ignore[no-untyped-call]

    def view_of_arrow(self, name: str, table: pa.Table) -> None:
        self.session.createDataFrame(table).createOrReplaceTempView(name)

    def view_of_parquet(self, name: str, location: str) -> None:
        self.session.read.parquet(location).createOrReplaceTempView(name)

    def view_of_sql(self, name: str, sql: str, *, persist: bool = False) -> DataFrame:
        frame = self.session.sql(sql)
        if persist:
            frame = frame.persist()
        frame.createOrReplaceTempView(name)
        return frame

    def column_types(self, name: str) -> dict[str, str]:
        """Spark SQL type of each column of a view (for CASTs), e.g. `array<string>`."""
        return {f.name: f.dataType.simpleString() for f in self.session.table(name).schema.fields}

    def to_arrow(self, sql: str) -> pa.Table:
        return self.session.sql(sql).toArrow()

    def drop_views(self, *names: str) -> None:
        for name in names:
            self.session.catalog.dropTempView(name)


def _java_home() -> str | None:
    """pyspark needs a JVM: JAVA_HOME, or the one `java` on PATH resolves to."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    return str(Path(java).resolve().parent.parent) if java else None


@contextmanager
def spark_link(settings: Settings) -> Iterator[SparkLink]:
    """Start (or join, under spark-submit) a Spark session for the link stage; stop it after.

    Local masters bind to 127.0.0.1 with no UI. Nothing is downloaded: Splink's similarity
    jar ships in its wheel; object-storage connectors (hadoop-aws) come with the cluster.
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    java_home = _java_home()
    if java_home:
        os.environ.setdefault("JAVA_HOME", java_home)
    builder = SparkSession.builder.appName("crossverify-link")
    local = settings.spark_master.startswith("local")
    if settings.spark_master:
        builder = builder.master(settings.spark_master)
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", settings.spark_driver_memory)
        )
    session = (
        builder.config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(int(settings.spark_shuffle_partitions)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    checkpoints = settings.spark_checkpoints
    if "://" not in checkpoints:
        Path(checkpoints).mkdir(parents=True, exist_ok=True)
    session.sparkContext.setCheckpointDir(checkpoints)
    tmp = settings.data_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    handoff_dir = Path(tempfile.mkdtemp(prefix="spark-handoff-", dir=tmp))
    try:
        yield SparkLink(
            session=session, master_parquet=settings.spark_master_parquet, handoff_dir=handoff_dir
        )
    finally:
        session.stop()
        shutil.rmtree(handoff_dir, ignore_errors=True)


@contextmanager
def link_engine(settings: Settings) -> Iterator[SparkLink | None]:
    """The Spark session when `engine = "spark"`; None (pairs scored on DuckDB) otherwise."""
    if settings.engine != "spark":
        yield None
        return
    with spark_link(settings) as spark:
        yield spark
