"""The oversight report's figures for a period, and their reconciliation with the ledger.

Counts only: agencies, officials, authorities cited, reason codes and batch ids appear, never a
taxpayer's name, TIN or address. Figures about batches come from the store (batches, record
outcomes, reviews, recalls, holds); `reconcile` recomputes each of them from the ledger alone
(submit, run, disclosure, lookup, recall and hold events) and lists any difference.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, NamedTuple

from sqlalchemy.orm import Session

from crossverify.errors import CrossverifyError
from crossverify.ledger import record as ledger
from crossverify.ledger.chain import ChainStatus
from crossverify.ledger.export import recalled_records
from crossverify.store import repos
from crossverify.store.tables import RECALL_REASONS, REJECTED, Batch, LedgerEntry, User
from crossverify.types import DISCLOSED_OUTCOMES, Outcome

LOOKUPS_OFFICIAL: Final = "(on-demand lookups)"
"""The `official` of the row that counts an agency's on-demand lookups (no signed batch)."""
MAX_PERIOD_DAYS: Final = 3_700  # ten years and a bit: one chart bar per day
OUTCOME_CODES: Final[tuple[str, ...]] = (*(o.value for o in Outcome), REJECTED)


@dataclass
class RequesterFigures:
    """One requesting agency and official over the period."""

    agency: str
    official: str
    batches_received: int = 0
    records_received: int = 0
    rejected: int = 0
    rejected_by_code: dict[str, int] = field(default_factory=dict)
    decided_by_outcome: dict[str, int] = field(default_factory=dict)
    batches_released: int = 0
    addresses_disclosed: int = 0
    lookups: int = 0
    lookup_records: int = 0
    lookup_disclosures: int = 0
    recalls: int = 0
    recalled_records: int = 0
    recalled_by_reason: dict[str, int] = field(default_factory=dict)
    certified_destroyed: int = 0
    holds_in_force: int = 0
    expected_wrong_matches: float = 0.0

    @property
    def wrong_disclosure_rate(self) -> float | None:
        """Records recalled as `wrong_person` per address disclosed from batches."""
        if not self.addresses_disclosed:
            return None
        return self.recalled_by_reason.get("wrong_person", 0) / self.addresses_disclosed

    @property
    def expected_wrong_rate(self) -> float | None:
        """Expected wrong matches the system predicted per address disclosed from batches."""
        if not self.addresses_disclosed:
            return None
        return self.expected_wrong_matches / self.addresses_disclosed


@dataclass
class AuthorityFigures:
    """Disclosures and recalls per agency, official and authority cited (from the ledger)."""

    agency: str
    official: str
    authority: str
    addresses_disclosed: int = 0
    recalled_by_reason: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One reconciled figure: the report's value and the ledger's."""

    name: str
    report: float
    ledger: float

    @property
    def ok(self) -> bool:
        return round(self.report, 6) == round(self.ledger, 6)


@dataclass
class OversightReport:
    first_day: date
    last_day: date
    created_at: str
    chain: ChainStatus
    requesters: list[RequesterFigures]
    authorities: list[AuthorityFigures]
    disclosures_per_day: list[tuple[str, int]]
    outcomes_per_batch: list[tuple[str, dict[str, int]]]
    holds_in_force: int
    checks: list[Check]

    @property
    def reconciled(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def totals(self) -> RequesterFigures:
        """The requesters' figures added up (agency and official `all`)."""
        total = RequesterFigures(agency="all", official="all")
        for row in self.requesters:
            for name, value in vars(row).items():
                if name in ("agency", "official"):
                    continue
                if isinstance(value, dict):
                    bucket = getattr(total, name)
                    for key, n in value.items():
                        bucket[key] = bucket.get(key, 0) + n
                else:
                    setattr(total, name, getattr(total, name) + value)
        total.expected_wrong_matches = round(total.expected_wrong_matches, 6)
        total.holds_in_force = self.holds_in_force  # distinct holds, not a sum over rows
        return total

    def as_dict(self) -> dict[str, Any]:
        def figures(row: RequesterFigures) -> dict[str, Any]:
            return {
                **asdict(row),
                "wrong_disclosure_rate": row.wrong_disclosure_rate,
                "expected_wrong_rate": row.expected_wrong_rate,
            }

        return {
            "report": "oversight",
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "created_at": self.created_at,
            "chain": {
                "ok": self.chain.ok,
                "entries": self.chain.entries,
                "head_hash": self.chain.head_hash,
                "first_broken_seq": self.chain.first_broken_seq,
                "reason": self.chain.reason,
            },
            "totals": figures(self.totals),
            "requesters": [figures(r) for r in self.requesters],
            "authorities": [asdict(a) for a in self.authorities],
            "disclosures_per_day": [
                {"day": d, "disclosures": n} for d, n in self.disclosures_per_day
            ],
            "outcomes_per_batch": [
                {"batch_id": b, "outcomes": counts} for b, counts in self.outcomes_per_batch
            ],
            "reconciled": self.reconciled,
            "reconciliation": [{**asdict(c), "ok": c.ok} for c in self.checks],
        }


def period_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the days first..last, both included."""
    if last_day < first_day:
        raise CrossverifyError(f"--to {last_day} is before --from {first_day}")
    if (last_day - first_day).days >= MAX_PERIOD_DAYS or last_day >= date.max:
        raise CrossverifyError(f"a report covers at most {MAX_PERIOD_DAYS} days")
    start = datetime.combine(first_day, time(), tzinfo=UTC)
    return start, datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC)


# ---------------------------------------------------------------------------- from the store


def build_report(*, session: Session, first_day: date, last_day: date) -> OversightReport:
    """Compute the report for the UTC days first..last (both included) and reconcile it."""
    chain = ledger.verify(session=session)
    since, until = period_bounds(first_day, last_day)
    groups: dict[tuple[str, str], RequesterFigures] = {}

    def group(agency: str, official: str) -> RequesterFigures:
        key = (agency, official)
        if key not in groups:
            groups[key] = RequesterFigures(agency=agency, official=official)
        return groups[key]

    received = repos.batches_created_between(session=session, since=since, until=until)
    received_ids = [b.id for b in received]
    outcomes = repos.outcome_counts_for_batches(session=session, batch_ids=received_ids)
    reasons = repos.rejected_reasons_for_batches(session=session, batch_ids=received_ids)
    for batch in received:
        row = group(batch.agency, batch.official_name)
        row.batches_received += 1
        row.records_received += batch.rows_read or 0
        counts = outcomes.get(batch.id, {})
        row.rejected += counts.get(REJECTED, 0)
        for code in (c for text in reasons.get(batch.id, []) for c in text.split(";") if c):
            row.rejected_by_code[code] = row.rejected_by_code.get(code, 0) + 1
        for outcome, n in counts.items():
            if outcome != REJECTED:
                row.decided_by_outcome[outcome] = row.decided_by_outcome.get(outcome, 0) + n

    released = repos.batches_released_between(session=session, since=since, until=until)
    for batch in released:
        row = group(batch.agency, batch.official_name)
        row.batches_released += 1
        row.addresses_disclosed += _disclosed_in_store(session, batch)
        row.expected_wrong_matches = round(
            row.expected_wrong_matches + float(batch.expected_wrong_matches or 0.0), 6
        )

    recalls = repos.list_recalls(session=session, since=since, until=until)
    recall_counts = repos.recall_item_counts(session=session, recall_ids=[r.id for r in recalls])
    batches = {r.batch_id: repos.get_batch(session=session, batch_id=r.batch_id) for r in recalls}
    for recall in recalls:
        batch = batches[recall.batch_id]
        row = group(batch.agency, batch.official_name)
        n = recall_counts.get(recall.id, 0)
        row.recalls += 1
        row.recalled_records += n
        row.recalled_by_reason[recall.reason] = row.recalled_by_reason.get(recall.reason, 0) + n
    all_recalls = repos.list_recalls(session=session)
    certified = repos.certifications(session=session, recall_ids=[r.id for r in all_recalls])
    certified_counts = repos.recall_item_counts(session=session, recall_ids=list(certified))
    for recall in all_recalls:
        cert = certified.get(recall.id)
        if cert is not None and since <= cert.certified_at < until:
            batch = repos.get_batch(session=session, batch_id=recall.batch_id)
            group(batch.agency, batch.official_name).certified_destroyed += certified_counts.get(
                recall.id, 0
            )

    entries = _period_entries(session, since, until)
    users = _agencies_of(session)
    for entry in entries:
        body = entry.body
        if entry.entry_type == "disclosure" and entry.batch_id is None:
            group(str(body.get("agency")), LOOKUPS_OFFICIAL).lookup_disclosures += 1
        elif body.get("action") == "lookup" and body.get("success", True):
            row = group(users.get(entry.actor, "(unknown)"), LOOKUPS_OFFICIAL)
            row.lookups += 1
            row.lookup_records += int(body["detail"].get("records", 0))

    holds = repos.holds_in_force_between(session=session, since=since, until=until)
    for row in groups.values():
        row.holds_in_force = sum(1 for h in holds if h.agency in (None, row.agency))

    report = OversightReport(
        first_day=first_day,
        last_day=last_day,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        chain=chain,
        requesters=[groups[k] for k in sorted(groups)],
        authorities=_authorities(session, entries, recalls),
        disclosures_per_day=_per_day(entries, first_day, last_day),
        outcomes_per_batch=[(b.id, outcomes.get(b.id, {})) for b in received],
        holds_in_force=len(holds),
        checks=[],
    )
    report.checks = reconcile(session=session, report=report, entries=entries)
    return report


def _disclosed_in_store(session: Session, batch: Batch) -> int:
    """Records the release disclosed: decided M1-M3, less those refused on review."""
    refused = repos.refused_request_ids(session=session, batch_id=batch.id)
    return sum(
        1
        for request_id, _ in repos.outcome_confidences(
            session=session, batch_id=batch.id, outcomes=DISCLOSED_OUTCOMES
        )
        if request_id not in refused
    )


class _Entry(NamedTuple):
    """What the report needs of one ledger entry (a disclosure's body cut to its accounting
    fields, so a large period does not hold every address in memory)."""

    entry_type: str
    batch_id: str | None
    actor: str
    created_at: str
    body: dict[str, Any]


DISCLOSURE_FIELDS: Final = ("agency", "official", "authority")


def _period_entries(session: Session, since: datetime, until: datetime) -> list[_Entry]:
    entries = []
    for e in ledger.iter_entries(session=session, since=since, until=until):
        body = json.loads(e.body)
        if e.entry_type == "disclosure":
            body = {k: body.get(k) for k in DISCLOSURE_FIELDS}
        entries.append(_Entry(e.entry_type, e.batch_id, e.actor, e.created_at, body))
    return entries


def _agencies_of(session: Session) -> dict[str, str]:
    return {u.username: u.agency for u in session.query(User).all() if u.agency}


def _authorities(
    session: Session,
    entries: list[_Entry],
    recalls: list[Any],
) -> list[AuthorityFigures]:
    rows: dict[tuple[str, str, str], AuthorityFigures] = {}

    def row(body: dict[str, Any]) -> AuthorityFigures:
        key = (
            str(body.get("agency")),
            str(body.get("official") or LOOKUPS_OFFICIAL),
            str(body.get("authority") or "(none cited)"),
        )
        if key not in rows:
            rows[key] = AuthorityFigures(*key)
        return rows[key]

    for entry in entries:
        if entry.entry_type == "disclosure":
            row(entry.body).addresses_disclosed += 1
    for recall in recalls:
        for item in repos.recall_items(session=session, recall_id=recall.id):
            disclosure = session.get(LedgerEntry, item.disclosure_seq)
            assert disclosure is not None
            figures = row(json.loads(disclosure.body))
            figures.recalled_by_reason[recall.reason] = (
                figures.recalled_by_reason.get(recall.reason, 0) + 1
            )
    return [rows[k] for k in sorted(rows)]


def _per_day(entries: list[_Entry], first_day: date, last_day: date) -> list[tuple[str, int]]:
    counts = Counter(e.created_at[:10] for e in entries if e.entry_type == "disclosure")
    days = (last_day - first_day).days + 1
    return [
        (
            (first_day + timedelta(days=i)).isoformat(),
            counts.get((first_day + timedelta(days=i)).isoformat(), 0),
        )
        for i in range(days)
    ]


# ---------------------------------------------------------------------------- reconciliation


def _bodies(entries: list[_Entry]) -> list[dict[str, Any]]:
    return [e.body for e in entries]


def reconcile(
    *,
    session: Session,
    report: OversightReport,
    entries: list[_Entry] | None = None,
) -> list[Check]:
    """Each total of the report against the same figure counted from the ledger alone."""
    if entries is None:
        since, until = period_bounds(report.first_day, report.last_day)
        entries = _period_entries(session, since, until)
    events: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        if entry.entry_type == "event" and entry.body.get("success", True):
            events[str(entry.body.get("action"))].append(entry)
    total = report.totals
    submits = events["submit"]
    checks = [
        Check("batches received", total.batches_received, len(submits)),
        Check(
            "records received",
            total.records_received,
            sum(int(b["detail"]["rows_read"]) for b in _bodies(submits)),
        ),
        Check(
            "records rejected",
            total.rejected,
            sum(int(b["detail"]["rejected"]) for b in _bodies(submits)),
        ),
    ]
    ran: Counter[str] = Counter()
    for entry in submits:
        last_run = None
        for event in ledger.iter_entries(
            session=session, batch_id=entry.batch_id, entry_type="event"
        ):
            body = json.loads(event.body)
            if body.get("action") == "run":
                last_run = body
        if last_run is not None:
            ran.update(
                {
                    k: int(v)
                    for k, v in last_run["detail"]["counts"].items()
                    if k in OUTCOME_CODES and k != REJECTED
                }
            )
    for code in sorted(set(ran) | set(total.decided_by_outcome)):
        checks.append(Check(f"decided {code}", total.decided_by_outcome.get(code, 0), ran[code]))
    batch_disclosures: Counter[tuple[str, str]] = Counter(
        (str(e.body.get("agency")), str(e.body.get("official")))
        for e in entries
        if e.entry_type == "disclosure" and e.batch_id is not None
    )
    checks.append(
        Check(
            "addresses disclosed from batches",
            total.addresses_disclosed,
            sum(batch_disclosures.values()),
        )
    )
    for row in report.requesters:
        if row.official != LOOKUPS_OFFICIAL:
            checks.append(
                Check(
                    f"addresses disclosed: {row.agency} / {row.official}",
                    row.addresses_disclosed,
                    batch_disclosures[(row.agency, row.official)],
                )
            )
    checks.append(
        Check(
            "addresses disclosed by lookups",
            total.lookup_disclosures,
            sum(int(b["detail"].get("disclosed", 0)) for b in _bodies(events["lookup"])),
        )
    )
    checks.append(
        Check(
            "addresses disclosed by authority",
            sum(a.addresses_disclosed for a in report.authorities),
            sum(1 for e in entries if e.entry_type == "disclosure"),
        )
    )
    checks.append(Check("recalls", total.recalls, len(events["recall_create"])))
    checks.append(Check("records recalled", total.recalled_records, len(events["recall"])))
    recalled_by_reason = Counter(str(b["detail"]["reason"]) for b in _bodies(events["recall"]))
    for reason in RECALL_REASONS:
        checks.append(
            Check(
                f"records recalled: {reason}",
                total.recalled_by_reason.get(reason, 0),
                recalled_by_reason[reason],
            )
        )
    certified_ids = {str(b["detail"]["recall_id"]) for b in _bodies(events["recall_certify"])}
    certified_records = sum(
        1 for rid in recalled_records(session=session).values() if rid in certified_ids
    )
    checks.append(
        Check("records certified destroyed", total.certified_destroyed, certified_records)
    )
    return checks
