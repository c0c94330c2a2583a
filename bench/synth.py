"""`synth`: `crossverify.synth.generate` at each size (master file, signed batch, truth).

The data written here is reused by the accuracy benchmark of the same size in the same run.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

SIZES: dict[str, tuple[int, int]] = {
    "small": (20_000, 2_000),
    "medium": (200_000, 20_000),
    "large": (1_000_000, 100_000),
}
SEED = 7
TARGET_SECONDS = {"large": 300.0}


def task(args: dict[str, Any]) -> dict[str, Any]:
    from crossverify.synth import generate

    out_dir = Path(args["out_dir"])
    persons, requests = int(args["persons"]), int(args["requests"])
    started = time.perf_counter()
    result = generate(out_dir=out_dir, persons=persons, requests=requests, seed=SEED)
    seconds = time.perf_counter() - started
    return {
        "persons": persons,
        "requests": requests,
        "master_rows": result.master_rows,
        "seconds": round(seconds, 2),
        "persons_per_s": round(persons / seconds),
        "master_rows_per_s": round(result.master_rows / seconds),
        "outcomes": dict(result.outcomes),
        "master_bytes": result.master_path.stat().st_size,
    }
