"""`python -m bench [--sizes small,medium,large] [--only NAME[,NAME]]`: run, then write the report.

Benchmarks: standardize and intake (once), synth and accuracy (per size), febrl4 (once),
lookup (latency of `POST /v1/lookups` against a 1M-person master, once).
Every measured step runs in a fresh child process, one at a time. Results are kept in
docs/benchmarks.json (committed, beside the report) so that a partial run (`--only`, other
sizes), even on a fresh clone, updates its own rows and keeps the others; docs/benchmarks.md
is rewritten from that file after every run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench._proc import StepResult, run_step
from bench.synth import SIZES

BENCHMARKS = ("standardize", "intake", "synth", "accuracy", "febrl4", "lookup")
LOOKUP_PERSONS = 1_000_000  # the lookup target is against a 1M-person master file
ROOT = Path(__file__).resolve().parent.parent


class Runner:
    def __init__(self, work: Path, results: dict[str, Any], save: Callable[[], None]) -> None:
        self.work = work
        self.results = results
        self.save = save
        self.stamp = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds")}
        self.stamp.update(report.git_state(ROOT))
        self.generated: dict[str, Path] = {}
        self.models: dict[str, Path] = {}

    def step(self, task: str, args: dict[str, Any], *, label: str) -> StepResult:
        print(f"[bench] {label} ...", flush=True)
        result = run_step(task, args, logs_dir=self.work / "logs", label=label)
        state = "ok" if result.ok else f"FAILED: {result.error} (log: {result.log})"
        print(
            f"[bench] {label}: {result.wall_s:.1f} s, peak {result.peak_rss_mb:,.0f} MB, {state}",
            flush=True,
        )
        return result

    def record(self, key: str, entry: dict[str, Any]) -> None:
        self.results[key] = {**entry, **self.stamp}
        self.save()

    # --- benchmarks ---------------------------------------------------------------------

    def standardize(self) -> None:
        result = self.step("standardize", {}, label="standardize")
        self.record("standardize", result.as_dict())

    def intake(self) -> None:
        data = self.step("intake_data", {"out_dir": str(self.work / "intake")}, label="intake-data")
        if not data.ok:
            self.record("intake", {"data": data.as_dict()})
            return
        files = {k: data.data[k] for k in ("requests", "manifest", "policy")}
        result = self.step("intake", files, label="intake")
        self.record("intake", {**result.as_dict(), "data": data.as_dict()})

    def synth(self, size: str, *, record: bool) -> Path | None:
        persons, requests = SIZES[size]
        out_dir = self.work / f"synth-{size}"
        label = f"synth-{size}"
        result = self.step(
            "synth",
            {"out_dir": str(out_dir), "persons": persons, "requests": requests},
            label=label,
        )
        if record:
            self.record(f"synth/{size}", {"size": size, **result.as_dict()})
        if not result.ok:
            return None
        self.generated[size] = out_dir
        return out_dir

    def accuracy(self, size: str) -> None:
        data = self.generated.get(size) or self.synth(size, record=False)
        persons, requests = SIZES[size]
        entry: dict[str, Any] = {"size": size, "persons": persons, "requests_in_batch": requests}
        if data is None:
            entry["error"] = "synthetic data could not be generated (see synth log)"
            self.record(f"accuracy/{size}", entry)
            return
        files = {
            "requests": str(data / "requests.csv"),
            "manifest": str(data / "requests.manifest.json"),
            "policy": str(data / "policy.toml"),
            "truth": str(data / "truth.csv"),
        }
        var = self.work / f"accuracy-{size}"
        entry.update(self._pipeline(f"accuracy-{size}", data / "master.parquet", var, files))
        if entry["train"]["ok"]:
            self.models[size] = var
        self.record(f"accuracy/{size}", entry)

    def febrl4(self) -> None:
        data = self.work / "febrl4-data"
        prepared = self.step("febrl4_data", {"out_dir": str(data)}, label="febrl4-data")
        entry: dict[str, Any] = {"data": prepared.as_dict()}
        if not prepared.ok:
            self.record("febrl4", entry)
            return
        files = {
            "requests": str(data / "requests.csv"),
            "manifest": str(data / "requests.manifest.json"),
            "policy": str(data / "policy.toml"),
            "truth": str(data / "truth.csv"),
        }
        var = self.work / "febrl4"
        entry.update(
            self._pipeline("febrl4", data / "master.parquet", var, files, fallback_model=True)
        )
        self.record("febrl4", entry)

    def lookup(self) -> None:
        """Lookup latency against a 1M-person master: synth, load, train, then the calls."""
        data = self.work / "lookup-data"
        var = self.work / "lookup"
        made = self.step(
            "synth",
            {"out_dir": str(data), "persons": LOOKUP_PERSONS, "requests": 5_000},
            label="lookup-synth",
        )
        entry: dict[str, Any] = {"persons": LOOKUP_PERSONS, "synth": made.as_dict()}
        steps = (
            ("load", {"data_dir": str(var), "master": str(data / "master.parquet")}),
            ("train", {"data_dir": str(var)}),
            (
                "lookup",
                {
                    "data_dir": str(var),
                    "requests": str(data / "requests.csv"),
                    "policy": str(data / "policy.toml"),
                    "persons": LOOKUP_PERSONS,
                },
            ),
        )
        ok = made.ok
        for task, args in steps:
            if ok:
                result = self.step(task, args, label=f"lookup-{task}")
                entry[task] = result.as_dict()
                ok = result.ok
        self.record("lookup", entry)

    def _pipeline(
        self,
        label: str,
        master: Path,
        var: Path,
        files: dict[str, str],
        *,
        fallback_model: bool = False,
    ) -> dict[str, Any]:
        """load -> train -> score (crossverify), then the plain Splink recipe on the same rows."""
        var.mkdir(parents=True, exist_ok=True)
        out: dict[str, Any] = {}
        load_args = {"data_dir": str(var), "master": str(master)}
        load = self.step("load", load_args, label=f"{label}-load")
        out["load"] = load.as_dict()
        if load.ok:
            train = self.step("train", {"data_dir": str(var)}, label=f"{label}-train")
            out["train"] = train.as_dict()
            if not train.ok and fallback_model:
                out["model_transfer"] = self._transfer(var)
            if train.ok or out.get("model_transfer", {}).get("ok"):
                score = self.step("score", {"data_dir": str(var), **files}, label=f"{label}-score")
                out["score"] = score.as_dict()
        else:
            out["train"] = {"ok": False, "error": "skipped: load failed"}
        accepted = var / "accepted.parquet"
        if accepted.exists():
            plain = self.step(
                "plain",
                {
                    "data_dir": str(var),
                    "master": str(master),
                    "accepted": str(accepted),
                    "policy": files["policy"],
                    "truth": files["truth"],
                },
                label=f"{label}-plain",
            )
            out["plain"] = plain.as_dict()
        return out

    def _transfer(self, var: Path) -> dict[str, Any]:
        """Our training needs several rows per taxpayer; use the small synthetic model instead."""
        from bench.accuracy import transfer_model

        source = self.models.get("small")
        if source is None:
            data = self.generated.get("small") or self.synth("small", record=False)
            source = self.work / "febrl4-model-source"
            if data is None:
                return {"ok": False, "error": "no synthetic data to train a model on"}
            args = {"data_dir": str(source), "master": str(data / "master.parquet")}
            if not self.step("load", args, label="febrl4-model-load").ok:
                return {"ok": False, "error": "loading the synthetic master failed"}
            if not self.step("train", {"data_dir": str(source)}, label="febrl4-model-train").ok:
                return {"ok": False, "error": "training on the synthetic master failed"}
        model_dir = source / "models"
        source_model = model_dir / f"{(model_dir / 'current').read_text().strip()}.json"
        model_id = transfer_model(source_model=source_model, data_dir=var)
        print(f"[bench] febrl4: using model {source_model.stem} (small synthetic) as {model_id}")
        return {"ok": True, "source_model": source_model.stem, "model_id": model_id}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        default="small,medium",
        help="comma-separated: small (20k persons / 2k requests), medium (200k / 20k), "
        "large (1M / 100k); default small,medium",
    )
    parser.add_argument(
        "--only", default="", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--results", type=Path, default=ROOT / "docs" / "benchmarks.json")
    parser.add_argument(
        "--fresh", action="store_true", help="forget results of earlier runs before writing"
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="run nothing; rewrite the report from the results of earlier runs",
    )
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    args.only = [s.strip() for s in args.only.split(",") if s.strip()] or list(BENCHMARKS)
    for size in args.sizes:
        if size not in SIZES:
            parser.error(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    for name in args.only:
        if name not in BENCHMARKS:
            parser.error(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
    args.sizes = [s for s in SIZES if s in args.sizes]  # small before medium before large
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    work: Path = args.work_dir
    results_path: Path = args.results
    results: dict[str, Any] = {}
    if results_path.exists() and not args.fresh:
        results = json.loads(results_path.read_text())
    if args.report_only:
        args.doc.write_text(report.render(results, machine=report.machine()), encoding="utf-8")
        print(f"[bench] wrote {args.doc} from {results_path}")
        return 0
    run_dir = work / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)

    def save() -> None:
        results_path.write_text(json.dumps(results, indent=2) + "\n")

    runner = Runner(run_dir, results, save)
    started = time.perf_counter()
    if "standardize" in args.only:
        runner.standardize()
    if "intake" in args.only:
        runner.intake()
    for size in args.sizes:
        if "synth" in args.only:
            runner.synth(size, record=True)
        if "accuracy" in args.only:
            runner.accuracy(size)
    if "febrl4" in args.only:
        runner.febrl4()
    if "lookup" in args.only:
        runner.lookup()
    total = time.perf_counter() - started
    results["last_run"] = {
        "sizes": args.sizes,
        "only": args.only,
        "seconds": round(total, 1),
        **runner.stamp,
    }
    save()
    args.doc.parent.mkdir(parents=True, exist_ok=True)
    args.doc.write_text(report.render(results, machine=report.machine()), encoding="utf-8")
    print(f"[bench] done in {total:.0f} s; wrote {args.doc}", flush=True)
    failed = [
        key
        for key, entry in results.items()
        if isinstance(entry, dict)
        and entry.get("measured_at") == runner.stamp["measured_at"]
        and report.has_failure(entry)
    ]
    if failed:
        print(f"[bench] failures in: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
