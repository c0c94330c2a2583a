"""Export the disclosure accounting for a date range: CSV for people, JSON for tools.

Both files carry the chain's status at export time, so a reader knows whether the entries
came from an intact ledger and which head hash they were read under. Exporting never writes
to the ledger.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy.orm import Session

from crossverify.files import write_safe_csv
from crossverify.ledger.chain import ChainStatus
from crossverify.ledger.record import iter_entries, verify

ACCOUNTING_COLUMNS: Final = (
    "seq",
    "created_at",
    "batch_id",
    "request_id",
    "tin",
    "outcome",
    "street",
    "city",
    "state",
    "zip",
    "tax_year",
    "source",
    "confidence",
    "authority",
    "agency",
    "official",
    "approved_by",
    "released_by",
    "hash",
    "recalled",
    "recall_id",
)
RECALL_EVENT_PREFIX: Final = '{"action":"recall",'
"""How a `recall` event's canonical body starts (keys sorted): a cheap filter before parsing."""


@dataclass(frozen=True)
class AccountingExport:
    csv_path: Path
    json_path: Path
    entries: int
    chain: ChainStatus


def recalled_records(*, session: Session) -> dict[int, str]:
    """Disclosure entry seq -> recall id, from the ledger's `recall` events (all of them: a
    recall made after the exported days still marks the records)."""
    found: dict[int, str] = {}
    for entry in iter_entries(session=session, entry_type="event"):
        if entry.body.startswith(RECALL_EVENT_PREFIX):
            detail = json.loads(entry.body)["detail"]
            found[int(detail["disclosure_seq"])] = str(detail["recall_id"])
    return found


def export_accounting(
    *, session: Session, first_day: date, last_day: date, out_dir: Path
) -> AccountingExport:
    """Write `accounting_<first>_<last>.csv` and `.json` for disclosures made on those UTC days.

    Args:
        session: an open session (read only).
        first_day: first day included (UTC).
        last_day: last day included (UTC).
        out_dir: directory to write into (created).

    Returns:
        Paths, the number of entries written and the chain status.
    """
    if last_day < first_day:
        raise ValueError(f"--to {last_day} is before --from {first_day}")
    chain = verify(session=session)
    since = datetime.combine(first_day, time(), tzinfo=UTC)
    until = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC)
    recalled = recalled_records(session=session)
    rows: list[dict[str, Any]] = []
    for entry in iter_entries(session=session, since=since, until=until, entry_type="disclosure"):
        body = json.loads(entry.body)
        disclosed = body.get("disclosed") or {}
        rows.append(
            {
                "seq": entry.seq,
                "created_at": entry.created_at,
                "batch_id": entry.batch_id,
                "request_id": entry.request_id,
                "tin": body.get("tin"),
                "outcome": body.get("outcome"),
                **{k: disclosed.get(k) for k in ("street", "city", "state", "zip")},
                "tax_year": body.get("tax_year"),
                "source": body.get("source"),
                "confidence": body.get("confidence"),
                "authority": body.get("authority"),
                "agency": body.get("agency"),
                "official": body.get("official"),
                "approved_by": ";".join(body.get("approved_by") or []),
                "released_by": entry.actor,
                "hash": entry.hash,
                "recalled": entry.seq in recalled,
                "recall_id": recalled.get(entry.seq),
            }
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"accounting_{first_day.isoformat()}_{last_day.isoformat()}"
    csv_path = out_dir / f"{stem}.csv"
    json_path = out_dir / f"{stem}.json"
    write_safe_csv(csv_path, ACCOUNTING_COLUMNS, ([r[c] for c in ACCOUNTING_COLUMNS] for r in rows))
    document = {
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "chain": {
            "ok": chain.ok,
            "entries": chain.entries,
            "head_hash": chain.head_hash,
            "first_broken_seq": chain.first_broken_seq,
            "reason": chain.reason,
        },
        "entries": rows,
    }
    json_path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return AccountingExport(csv_path, json_path, len(rows), chain)
