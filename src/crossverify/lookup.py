"""On-demand lookups: a few records answered at once, decided exactly as a batch is.

The same intake rules (read as JSON Lines + validate) and the same `match_requests` run; matched
addresses are accounted for in the ledger like a released batch, since they leave the
building at once.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from sqlalchemy.orm import Session

from crossverify.config import Settings
from crossverify.errors import InputFileError, PermissionDenied
from crossverify.intake.readers import read_request_records
from crossverify.intake.validate import validate_requests
from crossverify.ledger import record as ledger
from crossverify.ledger.record import NewEntry
from crossverify.link.backend import make_duckdb
from crossverify.link.compiled import open_link
from crossverify.link.rowwise import RowwiseLink
from crossverify.master.load import read_master_info
from crossverify.matching import MatchContext, current_model_path, match_requests
from crossverify.policy import Policy
from crossverify.store.tables import REJECTED, Role, User
from crossverify.types import DISCLOSED_OUTCOMES


@dataclass(frozen=True)
class LookupOutcome:
    request_id: str
    outcome: str
    reasons: str | None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    tax_year: int | None = None
    confidence: float | None = None


class LookupEngine:
    """A warm DuckDB connection and link for lookups; one lookup at a time uses them.

    The first lookup against a master file builds its index (`link.index`; 21 s for a
    million persons) unless `master load` or an earlier process left one beside it.
    """

    def __init__(self, *, settings: Settings) -> None:
        self._settings = settings
        self._con: duckdb.DuckDBPyConnection | None = None
        self._ctx: MatchContext | None = None
        self._lock = threading.Lock()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = make_duckdb(self._settings)
        return self._con

    def _context(self, model_path: Path) -> MatchContext:
        """The link (and model) for the current master file and model, rebuilt when either
        changes."""
        master_dir = self._settings.master_dir
        master_id = read_master_info(master_dir).master_id
        ctx = self._ctx
        if ctx is None or ctx.model_path != model_path or ctx.master.master_id != master_id:
            link = RowwiseLink(open_link(self._connection(), master_dir, model_path))
            ctx = self._ctx = MatchContext(master_dir=master_dir, model_path=model_path, link=link)
        return ctx

    def lookup(
        self,
        *,
        session: Session,
        policy: Policy,
        user: User,
        records: Sequence[Mapping[str, str | None]],
        today: date | None = None,
    ) -> list[LookupOutcome]:
        """Decide up to `policy.max_rows_per_lookup` records; account for every disclosure."""
        if user.role != Role.REQUESTER.value or not user.agency:
            raise PermissionDenied(f"user {user.username} may not look up records")
        if not 1 <= len(records) <= policy.max_rows_per_lookup:
            raise InputFileError(
                f"a lookup holds 1 to {policy.max_rows_per_lookup} records; "
                f"send {len(records)} as a batch instead"
            )
        read = read_request_records(records, max_rows=policy.max_rows_per_lookup)
        checked = validate_requests(
            read.rows,
            policy=policy,
            today=today or datetime.now(UTC).date(),
            malformed=read.malformed,
        )
        accepted = checked.accepted
        accepted = accepted.append_column("request_row", accepted["row_number"])
        model_path = current_model_path(self._settings.models_dir)
        with self._lock:
            result = match_requests(
                con=self._connection(),
                accepted=accepted,
                ctx=self._context(model_path),
                policy=policy,
            )
        ids = dict(
            zip(accepted["row_number"].to_pylist(), accepted["request_id"].to_pylist(), strict=True)
        )
        answers: dict[int, LookupOutcome] = {}
        disclosures: list[NewEntry] = []
        for o in result.outcomes.to_pylist():
            request_id = str(ids[o["request_row"]])
            shown = o["outcome"] in DISCLOSED_OUTCOMES
            answers[o["request_row"]] = LookupOutcome(
                request_id=request_id,
                outcome=o["outcome"],
                reasons=o["sub_reason"],
                street=o["street"] if shown else None,
                city=o["city"] if shown else None,
                state=o["state"] if shown else None,
                zip=o["zip"] if shown else None,
                tax_year=o["tax_year"] if shown else None,
                confidence=o["confidence"] if shown else None,
            )
            if shown:
                disclosures.append(
                    NewEntry(
                        request_id=request_id,
                        body={
                            "lookup": True,
                            "request_id": request_id,
                            "tin": o["tin"],
                            "outcome": o["outcome"],
                            "disclosed": {k: o[k] for k in ("street", "city", "state", "zip")},
                            "tax_year": o["tax_year"],
                            "source": o["source"],
                            "confidence": o["confidence"],
                            "agency": user.agency,
                            "model_id": result.model_id,
                            "policy_id": policy.policy_id,
                        },
                    )
                )
        for r in checked.rejected.to_pylist():
            answers[r["row_number"]] = LookupOutcome(
                request_id=str(r["request_id"]), outcome=REJECTED, reasons=r["reasons"]
            )
        for m in read.malformed.to_pylist():
            answers.setdefault(
                m["row_number"],
                LookupOutcome(
                    request_id=str(m.get("request_id") or f"row:{m['row_number']}"),
                    outcome=REJECTED,
                    reasons="R08",
                ),
            )
        event = ledger.event_entry(
            action="lookup", detail={"records": len(records), "disclosed": len(disclosures)}
        )
        ledger.append_many(
            session=session,
            entry_type="disclosure",
            actor=user.username,
            entries=[*disclosures, event],
        )
        session.commit()
        return [answers[k] for k in sorted(answers)]

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
            self._ctx = None
