"""`intake`: throughput of `intake_batch` (manifest check, read, validate) on 1,000,000 rows.

The request file is a generated batch (`crossverify.synth.generate`, seed 7: its mix of
good rows and deliberately broken ones) replicated to 1,000,000 rows, each copy's
request_ids made unique by a `-<copy>` suffix (a row without an id keeps none), written as
CSV and signed again with the batch's demo key (`intake.manifest.sign_manifest`). Building
the file runs in its own process (`intake_data`) and is not timed; the `intake` step times
the `intake_batch` call, so its peak memory is intake's own.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROWS = 1_000_000
SOURCE_PERSONS = 10_000
SOURCE_REQUESTS = 5_000
SEED = 7
TARGET_ROWS_PER_S = 200_000


def task_data(args: dict[str, Any]) -> dict[str, Any]:
    """Generate a batch, replicate it to `rows` rows with unique ids, sign it again."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    from crossverify.intake.manifest import read_manifest, sign_manifest, write_manifest
    from crossverify.synth import generate
    from crossverify.types import REQUEST_COLUMNS

    out_dir = Path(args["out_dir"])
    rows = int(args.get("rows", ROWS))
    source = generate(
        out_dir=out_dir / "source",
        persons=int(args.get("persons", SOURCE_PERSONS)),
        requests=int(args.get("requests", SOURCE_REQUESTS)),
        seed=SEED,
    )
    started = time.perf_counter()
    table = pa_csv.read_csv(
        source.requests_path,
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(REQUEST_COLUMNS, pa.string()),
            strings_can_be_null=False,
        ),
    )
    n = table.num_rows
    position = np.arange(rows, dtype=np.int64)
    big = table.take(pa.array(position % n))
    copy = pc.cast(pa.array(position // n), pa.string())
    ids = big.column("request_id").combine_chunks()
    unique = pc.binary_join_element_wise(ids, copy, "-")
    big = big.set_column(
        big.schema.get_field_index("request_id"),
        "request_id",
        pc.if_else(pc.equal(ids, ""), ids, unique),
    )
    requests_path = out_dir / "requests.csv"
    pa_csv.write_csv(big, requests_path, write_options=pa_csv.WriteOptions(quoting_style="needed"))
    original = read_manifest(source.manifest_path)
    manifest = sign_manifest(
        request_file=requests_path,
        agency=original["agency"],
        official_name=original["official"]["name"],
        official_title=original["official"]["title"],
        certification=original["certification"],
        private_pem=source.key_path.read_bytes(),
        submitted_at=datetime.fromisoformat(original["submitted_at"]),
    )
    manifest_path = out_dir / "requests.manifest.json"
    write_manifest(manifest, manifest_path)
    policy_path = out_dir / "policy.toml"
    shutil.copyfile(source.policy_path, policy_path)
    return {
        "rows": rows,
        "source_requests": n,
        "file_bytes": requests_path.stat().st_size,
        "build_s": round(time.perf_counter() - started, 2),
        "requests": str(requests_path),
        "manifest": str(manifest_path),
        "policy": str(policy_path),
    }


def task(args: dict[str, Any]) -> dict[str, Any]:
    """Time `intake_batch` on the file `task_data` wrote."""
    from crossverify.intake.batch import intake_batch
    from crossverify.policy import load_policy

    policy = load_policy(Path(args["policy"]))
    started = time.perf_counter()
    result = intake_batch(
        request_file=Path(args["requests"]),
        manifest_file=Path(args["manifest"]),
        policy=policy,
        today=datetime.now(UTC).date(),
    )
    seconds = time.perf_counter() - started
    rows = result.read.rows_read
    reasons: dict[str, int] = {}
    for value in result.rejected.column("reasons").to_pylist():
        for code in str(value).split(";"):
            reasons[code] = reasons.get(code, 0) + 1
    return {
        "rows": rows,
        "accepted": result.accepted.num_rows,
        "rejected": result.rejected.num_rows,
        "reasons": dict(sorted(reasons.items())),
        "file_bytes": Path(args["requests"]).stat().st_size,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "target_rows_per_s": TARGET_ROWS_PER_S,
        "met": rows / seconds >= TARGET_ROWS_PER_S,
        "warnings": json.dumps(list(result.read.warnings)),
    }
