"""Child process entry: `python -m bench._child TASK ARGS_JSON OUT_JSON`.

Runs one task of one benchmark and writes its result (JSON) to OUT_JSON. The parent
measures this process's peak memory; nothing else runs in it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Task = Callable[[dict[str, Any]], dict[str, Any]]


def _tasks() -> dict[str, Task]:
    from bench import accuracy, intake, lookup, plain_splink, scale, standardize, synth

    return {
        "standardize": standardize.task,
        "synth": synth.task,
        "intake_data": intake.task_data,
        "intake": intake.task,
        "load": accuracy.task_load,
        "train": accuracy.task_train,
        "score": accuracy.task_score,
        "febrl4_data": accuracy.task_febrl4_data,
        "plain": plain_splink.task,
        "scale_batch": scale.task_batch,
        "lookup": lookup.task,
    }


def main(argv: list[str]) -> int:
    task, args, out = argv[1], json.loads(argv[2]), Path(argv[3])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    result = _tasks()[task](args)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
