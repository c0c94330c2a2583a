"""Recalls of released records: create, notify, certify, and see what is still open.

Nothing in the ledger changes: a recall adds a `recall_create` event and one `recall` event per
record that names the disclosure entry it recalls (its seq and hash). The receiving agency gets
a recall notice signed like a response package (`crossverify package verify` checks it) and
certifies destruction with a file signed by a key the policy lists, or a requester of that
agency confirms over the API. Every action and every refusal is an audit event.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal, NoReturn, Protocol

from sqlalchemy.orm import Session

from crossverify.config import Settings
from crossverify.disclose.signing import (
    sign_package_manifest,
    system_signing_key,
    verify_package,
)
from crossverify.errors import CrossverifyError, ManifestError, PermissionDenied, StateError
from crossverify.files import file_sha256, write_safe_csv
from crossverify.intake.manifest import (
    canonical_bytes,
    load_private_key,
    public_key_b64,
    verify_agency_signature,
)
from crossverify.ledger import record as ledger
from crossverify.ledger.record import NewEntry
from crossverify.pipeline import (
    PACKAGE_KEY_FILE,
    policy_in_force,
    refuse_with_audit,
    user_with_role,
)
from crossverify.policy import Policy, Signer
from crossverify.store import repos
from crossverify.store.engine import write_connection
from crossverify.store.tables import (
    RECALL_REASONS,
    Batch,
    BatchStatus,
    LedgerEntry,
    Recall,
    RecallCertification,
    Role,
    User,
    utc_now,
)

RECALLS_DIR: Final = "recalls"  # under data_dir: one notice directory (and zip) per recall
RECALLED_FILE: Final = "recalled.csv"
NOTICE_TEXT_FILE: Final = "notice.txt"
RECALLED_COLUMNS: Final = ("request_id", "outcome", "tax_year", "disclosure_seq", "disclosure_hash")
NOTICE_DOCUMENT: Final = "recall_notice"
CERTIFICATE_DOCUMENT: Final = "recall_certification"
DEFAULT_STATEMENT: Final = (
    "Every record listed in the recall notice, and every copy of it, has been destroyed."
)
INSTRUCTIONS: Final = (
    "The records listed in recalled.csv were disclosed in error or must be returned. Stop using "
    "them at once; destroy every copy of them (files, case systems, printouts, derived notes) "
    "and certify the destruction to the tax agency within {days} days, by {certify_by}: send "
    "a certification signed by your agency's registered signing key, or have a requester of "
    "your agency confirm it over the API (POST /v1/recalls/{recall_id}/certify)."
)


@dataclass(frozen=True)
class RecallStatus:
    """A recall as the lists show it: how many records, whether certified, whether overdue."""

    recall: Recall
    records: int
    certification: RecallCertification | None
    certify_by: datetime
    overdue: bool

    @property
    def status(self) -> Literal["open", "overdue", "certified"]:
        if self.certification is not None:
            return "certified"
        return "overdue" if self.overdue else "open"


@dataclass(frozen=True)
class BatchRecallFigures:
    """A batch's figures after recalls: disclosed, recalled, certified destroyed."""

    disclosed: int
    recalled: int
    certified_destroyed: int
    recalled_ids: dict[str, str]  # request_id -> recall id


class _Refuser(Protocol):
    def __call__(self, error: CrossverifyError, why: str, batch: str | None = None) -> NoReturn: ...


@dataclass(frozen=True)
class _Target:
    batch: Batch
    entries: list[LedgerEntry]  # the disclosure entries recalled, in seq order


# ---------------------------------------------------------------------------- create


def create_recall(
    *,
    session: Session,
    settings: Settings,
    username: str,
    reason: str,
    reason_text: str,
    court_order: str | None = None,
    batch_id: str | None = None,
    request_ids: Sequence[str] | None = None,
    hold_id: int | None = None,
    policy: Policy | None = None,
) -> list[Recall]:
    """Recall released records: a list of a batch's request ids, a whole batch, or a hold's scope.

    An officer recalls for any reason; an admin only on a court order, which must be cited
    (any recall for `court_order` cites it). One recall (and one notice) per batch. Listed
    records must be disclosures of the batch not recalled before; a whole batch or a hold's
    scope recalls what is not recalled yet. Refusals are audit events; nothing is written then.
    """
    write_connection(session=session)  # SQLite: two recalls of one record queue up
    user = user_with_role(session, username, Role.OFFICER, Role.ADMIN)
    detail = {"step": "recall", "reason_code": reason}

    def refuse(error: CrossverifyError, why: str, batch: str | None = None) -> NoReturn:
        refuse_with_audit(
            session, error, username=username, batch_id=batch, detail={**detail, "why": why}
        )

    court_order = (court_order or "").strip() or None
    if reason not in RECALL_REASONS:
        refuse(StateError(f"a recall's reason is one of {', '.join(RECALL_REASONS)}"), "reason")
    if not reason_text.strip():
        refuse(StateError("a recall needs a reason in words (--text)"), "no_text")
    if user.role == Role.ADMIN.value and (reason != "court_order" or court_order is None):
        refuse(
            PermissionDenied(
                f"{username} is an admin: an admin recalls only on a court order, and must cite "
                "it (reason court_order, --court-order)"
            ),
            "admin_without_court_order",
        )
    if reason == "court_order" and court_order is None:
        refuse(StateError("a recall on a court order must cite it (--court-order)"), "no_order")
    if (batch_id is None) == (hold_id is None) or (request_ids and batch_id is None):
        refuse(
            StateError(
                "recall either a batch (optionally only some request ids) or a hold's scope"
            ),
            "scope",
        )
    policy = policy_in_force(settings, policy)
    if hold_id is not None:
        scope = "hold"
        targets = _hold_targets(session, hold_id, refuse)
    else:
        assert batch_id is not None
        scope = "requests" if request_ids else "batch"
        targets = [_batch_target(session, batch_id, request_ids, refuse)]
    now = utc_now()
    recalls: list[Recall] = []
    try:
        for target in targets:
            recalls.append(
                _write_recall(
                    session=session,
                    settings=settings,
                    user=user,
                    target=target,
                    reason=reason,
                    reason_text=reason_text.strip(),
                    court_order=court_order,
                    scope=scope,
                    hold_id=hold_id,
                    certify_days=policy.recall_certify_within_days,
                    now=now,
                )
            )
    except StateError as exc:  # another session recalled one of the records meanwhile
        session.rollback()
        for earlier in recalls:  # rolled back with this one: their notices go too
            _remove_notice(settings, earlier.id)
        refuse(exc, "already_recalled")
    session.commit()
    return recalls


def _remove_notice(settings: Settings, recall_id: str) -> None:
    """Remove the notice of a recall that was not stored (it never reached the agency)."""
    folder = settings.data_dir / RECALLS_DIR / recall_id
    shutil.rmtree(folder, ignore_errors=True)
    folder.with_suffix(".zip").unlink(missing_ok=True)


def _disclosures(session: Session, batch_id: str) -> dict[str, LedgerEntry]:
    return {
        str(e.request_id): e
        for e in ledger.iter_entries(session=session, batch_id=batch_id, entry_type="disclosure")
    }


def _batch_target(
    session: Session, batch_id: str, request_ids: Sequence[str] | None, refuse: _Refuser
) -> _Target:
    batch = repos.get_batch(session=session, batch_id=batch_id)
    if batch.status != BatchStatus.RELEASED.value:
        refuse(
            StateError(
                f"batch {batch_id} is {batch.status}: only released records can be recalled",
                batch_id=batch_id,
            ),
            "not_released",
            batch_id,
        )
    disclosed = _disclosures(session, batch_id)
    recalled = repos.recalled_in_batch(session=session, batch_id=batch_id)
    if request_ids:
        wanted = list(dict.fromkeys(request_ids))
        unknown = [r for r in wanted if r not in disclosed]
        if unknown:
            refuse(
                StateError(
                    f"not released records of batch {batch_id} (only disclosed records can be "
                    f"recalled): {', '.join(unknown)}",
                    batch_id=batch_id,
                ),
                "not_disclosed",
                batch_id,
            )
        twice = [f"{r} (recall {recalled[r]})" for r in wanted if r in recalled]
        if twice:
            refuse(
                StateError(
                    f"already recalled, a record is recalled once: {', '.join(twice)}",
                    batch_id=batch_id,
                ),
                "already_recalled",
                batch_id,
            )
        entries = [disclosed[r] for r in wanted]
    else:
        entries = [e for r, e in disclosed.items() if r not in recalled]
        if not entries:
            refuse(
                StateError(
                    f"batch {batch_id} has no released record left to recall "
                    f"({len(recalled)} already recalled, {len(disclosed)} disclosed)",
                    batch_id=batch_id,
                ),
                "nothing_to_recall",
                batch_id,
            )
    return _Target(batch, sorted(entries, key=lambda e: e.seq))


def _hold_targets(session: Session, hold_id: int, refuse: _Refuser) -> list[_Target]:
    hold = repos.get_hold(session=session, hold_id=hold_id)
    targets = []
    for batch in repos.released_batches(session=session, agency=hold.agency):
        recalled = repos.recalled_in_batch(session=session, batch_id=batch.id)
        entries = [e for r, e in _disclosures(session, batch.id).items() if r not in recalled]
        if entries:
            targets.append(_Target(batch, sorted(entries, key=lambda e: e.seq)))
    if not targets:
        refuse(
            StateError(
                f"hold {hold.id} ({hold.agency or 'every agency'}) covers no released record "
                "left to recall"
            ),
            "nothing_to_recall",
        )
    return targets


def _write_recall(
    *,
    session: Session,
    settings: Settings,
    user: User,
    target: _Target,
    reason: str,
    reason_text: str,
    court_order: str | None,
    scope: str,
    hold_id: int | None,
    certify_days: int,
    now: datetime,
) -> Recall:
    batch = target.batch
    if batch.package_sha256 is None:
        raise StateError(f"batch {batch.id} is released but has no package", batch_id=batch.id)
    recall_id = repos.new_recall_id(now)
    certify_by = now + timedelta(days=certify_days)
    notice = write_notice(
        out_dir=settings.data_dir / RECALLS_DIR / recall_id,
        entries=target.entries,
        fields={
            "document": NOTICE_DOCUMENT,
            "recall_id": recall_id,
            "batch_id": batch.id,
            "agency": batch.agency,
            "official": {"name": batch.official_name, "title": batch.official_title},
            "source_package": {
                "batch_id": batch.id,
                "sha256": batch.package_sha256,
                "released_at": batch.released_at.isoformat(timespec="seconds")
                if batch.released_at
                else None,
            },
            "reason": reason,
            "reason_text": reason_text,
            "court_order": court_order,
            "records": len(target.entries),
            "created_at": now.isoformat(timespec="seconds"),
            "created_by": user.username,
            "certify_within_days": certify_days,
            "certify_by": certify_by.isoformat(timespec="seconds"),
            "instructions": INSTRUCTIONS.format(
                days=certify_days,
                certify_by=certify_by.date().isoformat(),
                recall_id=recall_id,
            ),
        },
        signing_key_file=settings.data_dir / "keys" / PACKAGE_KEY_FILE,
    )
    try:
        recall = repos.add_recall(
            session=session,
            recall=Recall(
                id=recall_id,
                batch_id=batch.id,
                agency=batch.agency,
                reason=reason,
                reason_text=reason_text,
                court_order=court_order,
                scope=scope,
                hold_id=hold_id,
                package_sha256=batch.package_sha256,
                notice_path=str(notice),
                notice_sha256=file_sha256(notice),
                created_by=user.id,
                created_at=now,
            ),
            items=[(str(e.request_id), e.seq) for e in target.entries],
        )
    except StateError:
        _remove_notice(settings, recall_id)
        raise
    ledger.record_event(
        session=session,
        action="recall_create",
        actor=user.username,
        batch_id=batch.id,
        detail={
            "recall_id": recall_id,
            "reason": reason,
            "reason_text": reason_text,
            "court_order": court_order,
            "scope": scope,
            "hold_id": hold_id,
            "records": len(target.entries),
            "package_sha256": batch.package_sha256,
            "notice_sha256": recall.notice_sha256,
        },
    )
    ledger.append_many(
        session=session,
        entry_type="event",
        actor=user.username,
        batch_id=batch.id,
        entries=[
            NewEntry(
                request_id=str(e.request_id),
                body={
                    "action": "recall",
                    "success": True,
                    "detail": {
                        "recall_id": recall_id,
                        "reason": reason,
                        "disclosure_seq": e.seq,
                        "disclosure_hash": e.hash,
                    },
                },
            )
            for e in target.entries
        ],
    )
    return recall


def write_notice(
    *,
    out_dir: Path,
    entries: Iterable[LedgerEntry],
    fields: dict[str, Any],
    signing_key_file: Path,
) -> Path:
    """Write recalled.csv, notice.txt and the signed manifest.json, and zip them; return the zip.

    The notice names records by request id only (no address, no TIN): the agency already holds
    the package it must destroy them from.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for entry in entries:
        body = json.loads(entry.body)
        rows.append(
            (entry.request_id, body.get("outcome"), body.get("tax_year"), entry.seq, entry.hash)
        )
    write_safe_csv(out_dir / RECALLED_FILE, RECALLED_COLUMNS, rows)
    (out_dir / NOTICE_TEXT_FILE).write_text(
        f"RECALL NOTICE {fields['recall_id']}\n\n"
        f"To: {fields['agency']}\n"
        f"Source package: batch {fields['batch_id']}, "
        f"SHA-256 {fields['source_package']['sha256']}\n"
        f"Reason: {fields['reason']}: {fields['reason_text']}\n"
        + (f"Court order: {fields['court_order']}\n" if fields.get("court_order") else "")
        + f"Records recalled: {len(rows)} (listed in {RECALLED_FILE})\n\n"
        f"{fields['instructions']}\n",
        encoding="utf-8",
    )
    names = (RECALLED_FILE, NOTICE_TEXT_FILE)
    manifest = sign_package_manifest(
        {**fields, "files": {name: file_sha256(out_dir / name) for name in names}},
        system_signing_key(signing_key_file),
    )
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    zip_path = out_dir.with_suffix(".zip")
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in (*names, "manifest.json"):
            archive.write(out_dir / name, arcname=f"{out_dir.name}/{name}")
    return zip_path


# ---------------------------------------------------------------------------- certify


def sign_certificate(
    *,
    recall_id: str,
    agency: str,
    notice_sha256: str,
    official_name: str,
    official_title: str,
    private_pem: bytes,
    statement: str = DEFAULT_STATEMENT,
    certified_at: datetime | None = None,
) -> dict[str, Any]:
    """The receiving agency's signed certification of destruction (same signing rule as
    request manifests: Ed25519 over the canonical bytes)."""
    key = load_private_key(private_pem)
    document: dict[str, Any] = {
        "document": CERTIFICATE_DOCUMENT,
        "recall_id": recall_id,
        "agency": agency,
        "notice_sha256": notice_sha256,
        "official": {"name": official_name, "title": official_title},
        "statement": statement,
        "certified_at": (certified_at or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    document["signature"] = {
        "public_key": public_key_b64(key),
        "value": base64.b64encode(key.sign(canonical_bytes(document))).decode("ascii"),
    }
    return document


def verify_certificate(document: dict[str, Any], *, recall: Recall, policy: Policy) -> Signer:
    """Check a signed certification against the policy's registered agency keys and the recall.

    Raises:
        ManifestError: unsigned, unknown or revoked key, bad signature, another agency, or
            another recall or notice.
    """
    signer = verify_agency_signature(document, policy=policy, what="the certification")
    if document.get("document") != CERTIFICATE_DOCUMENT or document.get("recall_id") != recall.id:
        raise ManifestError(f"the certification is not one for recall {recall.id}")
    if signer.agency != recall.agency or document.get("agency") != recall.agency:
        raise ManifestError(
            f"the certification is signed for {signer.agency}, but recall {recall.id} went to "
            f"{recall.agency}"
        )
    if document.get("notice_sha256") != recall.notice_sha256:
        raise ManifestError("the certification names another recall notice (SHA-256 differs)")
    return signer


def certify_recall(
    *,
    session: Session,
    recall_id: str,
    username: str,
    statement: str = "",
    certificate: dict[str, Any] | None = None,
    settings: Settings | None = None,
    policy: Policy | None = None,
) -> RecallCertification:
    """Record the receiving agency's certification that a recall's records were destroyed.

    Without `certificate`, a requester of the recall's agency confirms it. With one, a
    requester of that agency or an officer records the agency's signed certification; it must
    verify against a signing key the policy lists for that agency. A recall is certified once.
    """
    write_connection(session=session)  # SQLite: a second certification waits, then is refused
    user = user_with_role(session, username, Role.REQUESTER, Role.OFFICER)
    recall = repos.get_recall(session=session, recall_id=recall_id)
    detail = {"step": "recall_certify", "recall_id": recall_id}
    if (certificate is None and user.role != Role.REQUESTER.value) or (
        user.role == Role.REQUESTER.value and user.agency != recall.agency
    ):
        refuse_with_audit(
            session,
            PermissionDenied(
                f"{username} may not certify recall {recall_id}: a requester of "
                f"{recall.agency} confirms it, or an officer records the agency's signed "
                "certification"
            ),
            username=username,
            batch_id=recall.batch_id,
            detail={**detail, "why": "role_or_agency"},
        )
    signer: Signer | None = None
    if certificate is not None:
        try:
            signer = verify_certificate(
                certificate, recall=recall, policy=policy_in_force(settings, policy)
            )
        except ManifestError as exc:
            refuse_with_audit(
                session,
                exc,
                username=username,
                batch_id=recall.batch_id,
                detail={**detail, "why": "certificate", "error": exc.message},
            )
    earlier = repos.certifications(session=session, recall_ids=[recall_id]).get(recall_id)
    if earlier is not None:
        refuse_with_audit(
            session,
            StateError(
                f"recall {recall_id} was already certified at "
                f"{earlier.certified_at.isoformat(timespec='seconds')} ({earlier.method})"
            ),
            username=username,
            batch_id=recall.batch_id,
            detail={**detail, "why": "already_certified"},
        )
    text = (
        str(certificate.get("statement") or "") if certificate else statement.strip()
    ) or DEFAULT_STATEMENT
    certification = RecallCertification(
        recall_id=recall_id,
        method="signed_file" if certificate is not None else "api",
        statement=text,
        recorded_by=user.id,
        signer_name=signer.name if signer else None,
        signer_public_key=signer.public_key if signer else None,
        document_sha256=hashlib.sha256(canonical_bytes(certificate)).hexdigest()
        if certificate is not None
        else None,
        certified_at=utc_now(),
    )
    try:
        repos.add_certification(session=session, certification=certification)
    except StateError as exc:  # certified by another session meanwhile
        session.rollback()
        refuse_with_audit(
            session,
            exc,
            username=username,
            batch_id=recall.batch_id,
            detail={**detail, "why": "already_certified"},
        )
    ledger.record_event(
        session=session,
        action="recall_certify",
        actor=username,
        batch_id=recall.batch_id,
        detail={
            "recall_id": recall_id,
            "method": certification.method,
            "signer": certification.signer_name,
            "document_sha256": certification.document_sha256,
        },
    )
    session.commit()
    return certification


# ---------------------------------------------------------------------------- read


def recall_statuses(
    *,
    session: Session,
    agency: str | None = None,
    batch_id: str | None = None,
    overdue_only: bool = False,
    settings: Settings | None = None,
    policy: Policy | None = None,
    now: datetime | None = None,
) -> list[RecallStatus]:
    """Recalls oldest first with their status; `overdue_only` keeps the overdue ones.

    Overdue: not certified `recall_certify_within_days` (policy) after it was created.
    """
    days = policy_in_force(settings, policy).recall_certify_within_days
    moment = now or utc_now()
    recalls = repos.list_recalls(session=session, agency=agency, batch_id=batch_id)
    ids = [r.id for r in recalls]
    counts = repos.recall_item_counts(session=session, recall_ids=ids)
    certified = repos.certifications(session=session, recall_ids=ids)
    statuses = []
    for recall in recalls:
        due = recall.created_at + timedelta(days=days)
        cert = certified.get(recall.id)
        statuses.append(
            RecallStatus(recall, counts.get(recall.id, 0), cert, due, cert is None and moment > due)
        )
    return [s for s in statuses if s.overdue] if overdue_only else statuses


def recall_status(
    *,
    session: Session,
    recall_id: str,
    settings: Settings | None = None,
    policy: Policy | None = None,
    now: datetime | None = None,
) -> RecallStatus:
    """One recall's status; raises `NotFound`."""
    recall = repos.get_recall(session=session, recall_id=recall_id)
    return next(
        s
        for s in recall_statuses(
            session=session, batch_id=recall.batch_id, settings=settings, policy=policy, now=now
        )
        if s.recall.id == recall_id
    )


def visible_recall(*, session: Session, recall_id: str, username: str) -> Recall:
    """The recall, if this user may see it: a requester sees only its own agency's (refusal
    audited); officers, auditors and admins see all."""
    user = user_with_role(session, username, *Role)
    recall = repos.get_recall(session=session, recall_id=recall_id)
    if user.role == Role.REQUESTER.value and user.agency != recall.agency:
        refuse_with_audit(
            session,
            PermissionDenied(f"recall {recall_id} went to another agency"),
            username=username,
            batch_id=recall.batch_id,
            detail={"step": "recall_show", "recall_id": recall_id, "why": "other_agency"},
        )
    return recall


def batch_recall_figures(*, session: Session, batch_id: str) -> BatchRecallFigures:
    """Disclosed (ledger entries), recalled and certified destroyed records of a batch."""
    disclosed = sum(
        1 for _ in ledger.iter_entries(session=session, batch_id=batch_id, entry_type="disclosure")
    )
    recalled = repos.recalled_in_batch(session=session, batch_id=batch_id)
    certified = repos.certifications(session=session, recall_ids=set(recalled.values()))
    return BatchRecallFigures(
        disclosed=disclosed,
        recalled=len(recalled),
        certified_destroyed=sum(1 for rid in recalled.values() if rid in certified),
        recalled_ids=recalled,
    )


def notice_for(*, session: Session, recall_id: str, username: str) -> Path:
    """The recall notice's zip, for anyone who may see the recall; each fetch is an audit event."""
    recall = visible_recall(session=session, recall_id=recall_id, username=username)
    ledger.record_event(
        session=session,
        action="recall_notice_download",
        actor=username,
        batch_id=recall.batch_id,
        detail={"recall_id": recall_id, "notice_sha256": recall.notice_sha256},
    )
    session.commit()
    return Path(recall.notice_path)


def certificate_for_notice(
    *,
    notice_zip: Path,
    private_pem: bytes,
    official_name: str,
    official_title: str,
    statement: str = DEFAULT_STATEMENT,
) -> dict[str, Any]:
    """The agency's side: check a received recall notice (zip) and sign its certification."""
    if not notice_zip.is_file():
        raise StateError(f"{notice_zip} is not a file: give the recall notice's zip")
    manifest = verify_package(notice_zip)
    if manifest.get("document") != NOTICE_DOCUMENT:
        raise StateError(f"{notice_zip} is a package, not a recall notice")
    return sign_certificate(
        recall_id=str(manifest["recall_id"]),
        agency=str(manifest["agency"]),
        notice_sha256=file_sha256(notice_zip),
        official_name=official_name,
        official_title=official_title,
        private_pem=private_pem,
        statement=statement,
    )
