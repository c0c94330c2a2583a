"""Recalls on SQLite and PostgreSQL: by list, by batch, by a hold's scope; refusals; certify."""

from __future__ import annotations

import json
import shutil
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from recall_history import HSI, ICE, History, make_history, released_batch
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from crossverify.config import Settings
from crossverify.disclose.signing import verify_package
from crossverify.errors import ManifestError, PackageTampered, PermissionDenied, StateError
from crossverify.ledger.export import export_accounting
from crossverify.ledger.record import iter_entries, verify
from crossverify.pipeline import place_hold
from crossverify.recall import (
    batch_recall_figures,
    certify_recall,
    create_recall,
    recall_status,
    recall_statuses,
    sign_certificate,
)
from crossverify.store import repos
from crossverify.store.tables import utc_now


@pytest.fixture
def history(store_session: Session, tmp_path: Path) -> History:
    settings = Settings(data_dir=tmp_path / "var", policy_file=tmp_path / "policy.toml")
    return make_history(store_session, settings, tmp_path)


def _events(session: Session, action: str) -> list[dict[str, object]]:
    bodies = [json.loads(e.body) for e in iter_entries(session=session, entry_type="event")]
    return [b for b in bodies if b["action"] == action]


def _disclosed(session: Session, batch_id: str) -> list[str]:
    return [
        str(e.request_id)
        for e in iter_entries(session=session, batch_id=batch_id, entry_type="disclosure")
    ]


def test_recall_by_request_list_points_at_the_disclosure_entries(
    store_session: Session, history: History
) -> None:
    batch_id = released_batch(store_session, history)
    disclosed = _disclosed(store_session, batch_id)
    entries_before = verify(session=store_session).entries
    [recall] = create_recall(
        session=store_session,
        settings=history.settings,
        username="olga",
        reason="wrong_person",
        reason_text="the address belonged to a namesake",
        batch_id=batch_id,
        request_ids=disclosed[:2],
        policy=history.policy,
    )
    assert recall.scope == "requests" and recall.agency == ICE
    items = repos.recall_items(session=store_session, recall_id=recall.id)
    assert [i.request_id for i in items] == disclosed[:2]
    disclosures = {
        e.seq: e.hash
        for e in iter_entries(session=store_session, batch_id=batch_id, entry_type="disclosure")
    }
    recall_events = _events(store_session, "recall")
    assert [e["detail"]["disclosure_seq"] for e in recall_events] == [
        i.disclosure_seq for i in items
    ]
    for event in recall_events:
        detail = event["detail"]
        assert isinstance(detail, dict)
        assert disclosures[detail["disclosure_seq"]] == detail["disclosure_hash"]
    [created] = _events(store_session, "recall_create")
    assert created["detail"]["records"] == 2  # type: ignore[index]
    status = verify(session=store_session)
    assert status.ok and status.entries == entries_before + 3  # create + one per record
    figures = batch_recall_figures(session=store_session, batch_id=batch_id)
    assert (figures.disclosed, figures.recalled, figures.certified_destroyed) == (
        len(disclosed),
        2,
        0,
    )


def test_recalling_a_record_twice_is_refused_and_audited(
    store_session: Session, history: History
) -> None:
    batch_id = released_batch(store_session, history)
    first = _disclosed(store_session, batch_id)[0]
    [recall] = create_recall(
        session=store_session,
        settings=history.settings,
        username="olga",
        reason="policy_error",
        reason_text="outside the tax period",
        batch_id=batch_id,
        request_ids=[first],
        policy=history.policy,
    )
    with pytest.raises(StateError, match=rf"already recalled.*{first} \(recall {recall.id}\)"):
        create_recall(
            session=store_session,
            settings=history.settings,
            username="otto",
            reason="policy_error",
            reason_text="again",
            batch_id=batch_id,
            request_ids=[first],
            policy=history.policy,
        )
    [refusal] = _events(store_session, "refusal")
    assert refusal["detail"] == {
        "step": "recall",
        "reason_code": "policy_error",
        "why": "already_recalled",
    }
    # The whole batch recalls what is left, not the record recalled before.
    [rest] = create_recall(
        session=store_session,
        settings=history.settings,
        username="otto",
        reason="policy_error",
        reason_text="the whole batch",
        batch_id=batch_id,
        policy=history.policy,
    )
    left = [r for r in _disclosed(store_session, batch_id) if r != first]
    assert [
        i.request_id for i in repos.recall_items(session=store_session, recall_id=rest.id)
    ] == left
    with pytest.raises(StateError, match="no released record left"):
        create_recall(
            session=store_session,
            settings=history.settings,
            username="otto",
            reason="policy_error",
            reason_text="a third time",
            batch_id=batch_id,
            policy=history.policy,
        )


def test_only_released_disclosed_records_can_be_recalled(
    store_session: Session, history: History
) -> None:
    batch_id = released_batch(store_session, history, release=False)
    with pytest.raises(StateError, match="only released records can be recalled"):
        create_recall(
            session=store_session,
            settings=history.settings,
            username="olga",
            reason="wrong_person",
            reason_text="x",
            batch_id=batch_id,
            policy=history.policy,
        )
    released = released_batch(store_session, history)
    unmatched = next(
        r.request_id
        for r in repos.outcomes_for_batch(session=store_session, batch_id=released)
        if r.outcome == "N1"
    )
    with pytest.raises(StateError, match=f"not released records.*{unmatched}"):
        create_recall(
            session=store_session,
            settings=history.settings,
            username="olga",
            reason="wrong_person",
            reason_text="x",
            batch_id=released,
            request_ids=[str(unmatched)],
            policy=history.policy,
        )
    assert repos.list_recalls(session=store_session) == []


def test_admin_recalls_only_citing_a_court_order_and_requesters_not_at_all(
    store_session: Session, history: History
) -> None:
    batch_id = released_batch(store_session, history)
    for reason, order in (("wrong_person", None), ("court_order", None), ("court_order", " ")):
        with pytest.raises(PermissionDenied, match="admin recalls only on a court order"):
            create_recall(
                session=store_session,
                settings=history.settings,
                username="ada",
                reason=reason,
                reason_text="ordered",
                court_order=order,
                batch_id=batch_id,
                policy=history.policy,
            )
    with pytest.raises(PermissionDenied):
        create_recall(
            session=store_session,
            settings=history.settings,
            username="rita",
            reason="wrong_person",
            reason_text="x",
            batch_id=batch_id,
            policy=history.policy,
        )
    with pytest.raises(StateError, match="must cite it"):
        create_recall(
            session=store_session,
            settings=history.settings,
            username="olga",
            reason="court_order",
            reason_text="ordered",
            batch_id=batch_id,
            policy=history.policy,
        )
    [recall] = create_recall(
        session=store_session,
        settings=history.settings,
        username="ada",
        reason="court_order",
        reason_text="records to be returned",
        court_order="D. Mass. 1:26-cv-10001, order of 2026-11-20",
        batch_id=batch_id,
        policy=history.policy,
    )
    assert recall.court_order == "D. Mass. 1:26-cv-10001, order of 2026-11-20"
    assert len(_events(store_session, "refusal")) == 5


def test_recall_by_hold_scope_covers_that_agencys_released_batches(
    store_session: Session, history: History
) -> None:
    ice = [released_batch(store_session, history, agency=ICE) for _ in range(2)]
    hsi = released_batch(store_session, history, agency=HSI)
    hold = place_hold(
        session=store_session,
        username="ada",
        court="D.D.C.",
        case_number="26-124",
        reason="return of records",
        agency=ICE,
    )
    recalls = create_recall(
        session=store_session,
        settings=history.settings,
        username="ada",
        reason="court_order",
        reason_text="the court orders the records returned",
        court_order="D.D.C. 26-124",
        hold_id=hold.id,
        policy=history.policy,
    )
    assert sorted(r.batch_id for r in recalls) == sorted(ice)
    assert {r.scope for r in recalls} == {"hold"} and {r.hold_id for r in recalls} == {hold.id}
    for batch_id in ice:
        figures = batch_recall_figures(session=store_session, batch_id=batch_id)
        assert figures.recalled == figures.disclosed > 0
    assert batch_recall_figures(session=store_session, batch_id=hsi).recalled == 0


def test_recall_notice_verifies_and_a_tampered_one_fails(
    store_session: Session, history: History, tmp_path: Path
) -> None:
    batch_id = released_batch(store_session, history)
    [recall] = create_recall(
        session=store_session,
        settings=history.settings,
        username="olga",
        reason="wrong_person",
        reason_text="namesake",
        batch_id=batch_id,
        policy=history.policy,
    )
    batch = repos.get_batch(session=store_session, batch_id=batch_id)
    notice = Path(recall.notice_path)
    manifest = verify_package(notice)
    package_key = json.loads(
        (Path(str(batch.package_path)).with_suffix("") / "manifest.json").read_text()
    )["signature"]["public_key"]
    assert verify_package(notice, public_key=package_key)["recall_id"] == recall.id
    assert verify_package(notice.with_suffix(""))["records"] == manifest["records"]
    assert manifest["source_package"] == {
        "batch_id": batch_id,
        "sha256": batch.package_sha256,
        "released_at": manifest["source_package"]["released_at"],
    }
    assert manifest["reason"] == "wrong_person" and "destroy" in manifest["instructions"]

    copy = tmp_path / "tampered"
    shutil.copytree(notice.with_suffix(""), copy)
    with (copy / "recalled.csv").open("a", encoding="utf-8") as handle:
        handle.write("Q9-9,M1,2023,1,x\n")
    with pytest.raises(PackageTampered, match=r"recalled\.csv was changed"):
        verify_package(copy)
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(notice) as source, zipfile.ZipFile(edited, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("manifest.json"):
                data = data.replace(b'"wrong_person"', b'"policy_error"')
            target.writestr(info, data)
    with pytest.raises(PackageTampered, match="signature does not verify"):
        verify_package(edited)


def test_certification_by_requester_or_signed_file_and_overdue(
    store_session: Session, history: History
) -> None:
    first = released_batch(store_session, history)
    second = released_batch(store_session, history)
    [by_api] = create_recall(
        session=store_session,
        settings=history.settings,
        username="olga",
        reason="wrong_person",
        reason_text="namesake",
        batch_id=first,
        policy=history.policy,
    )
    [by_file] = create_recall(
        session=store_session,
        settings=history.settings,
        username="olga",
        reason="policy_error",
        reason_text="outside the period",
        batch_id=second,
        policy=history.policy,
    )
    later = utc_now() + timedelta(days=31)
    overdue = recall_statuses(
        session=store_session, overdue_only=True, policy=history.policy, now=later
    )
    assert {s.recall.id for s in overdue} == {by_api.id, by_file.id}
    assert recall_statuses(session=store_session, overdue_only=True, policy=history.policy) == []

    with pytest.raises(PermissionDenied, match="may not certify"):
        certify_recall(session=store_session, recall_id=by_api.id, username="hsi")
    with pytest.raises(PermissionDenied):
        certify_recall(session=store_session, recall_id=by_api.id, username="olga")
    certify_recall(session=store_session, recall_id=by_api.id, username="rita")
    with pytest.raises(StateError, match="already certified"):
        certify_recall(session=store_session, recall_id=by_api.id, username="rita")

    def certificate(agency: str, notice_sha256: str) -> dict[str, object]:
        return sign_certificate(
            recall_id=by_file.id,
            agency=agency,
            notice_sha256=notice_sha256,
            official_name="Jane Roe",
            official_title="Field Office Director",
            private_pem=history.keys[agency].private_pem,
        )

    with pytest.raises(ManifestError, match="signed for HSI"):
        certify_recall(
            session=store_session,
            recall_id=by_file.id,
            username="olga",
            certificate=certificate(HSI, by_file.notice_sha256),
            policy=history.policy,
        )
    forged = certificate(ICE, by_file.notice_sha256)
    forged["statement"] = "nothing was destroyed"
    with pytest.raises(ManifestError, match="does not verify"):
        certify_recall(
            session=store_session,
            recall_id=by_file.id,
            username="olga",
            certificate=forged,
            policy=history.policy,
        )
    certification = certify_recall(
        session=store_session,
        recall_id=by_file.id,
        username="olga",
        certificate=certificate(ICE, by_file.notice_sha256),
        policy=history.policy,
    )
    assert certification.method == "signed_file" and certification.signer_name == "Jane Roe"
    statuses = {
        s.recall.id: s.status
        for s in recall_statuses(session=store_session, policy=history.policy, now=later)
    }
    assert statuses == {by_api.id: "certified", by_file.id: "certified"}
    assert recall_status(session=store_session, recall_id=by_api.id).certification is not None
    figures = batch_recall_figures(session=store_session, batch_id=second)
    assert figures.certified_destroyed == figures.recalled > 0
    assert len(_events(store_session, "recall_certify")) == 2
    assert len(_events(store_session, "refusal")) == 5
    assert verify(session=store_session).ok


def test_recalled_records_show_as_recalled_in_the_ledger_export(
    store_session: Session, history: History, tmp_path: Path
) -> None:
    batch_id = released_batch(store_session, history)
    disclosed = _disclosed(store_session, batch_id)
    [recall] = create_recall(
        session=store_session,
        settings=history.settings,
        username="olga",
        reason="wrong_person",
        reason_text="namesake",
        batch_id=batch_id,
        request_ids=[disclosed[1]],
        policy=history.policy,
    )
    today = utc_now().date()
    export = export_accounting(
        session=store_session, first_day=today, last_day=today, out_dir=tmp_path / "out"
    )
    rows = json.loads(export.json_path.read_text())["entries"]
    marks = {r["request_id"]: (r["recalled"], r["recall_id"]) for r in rows}
    assert marks[disclosed[1]] == (True, recall.id)
    assert all(marks[r] == (False, None) for r in disclosed if r != disclosed[1])
    text_csv = export.csv_path.read_text()
    assert f"{disclosed[1]}," in text_csv and recall.id in text_csv


def test_recall_rows_are_append_only_in_the_database(
    store_session: Session, history: History
) -> None:
    batch_id = released_batch(store_session, history)
    create_recall(
        session=store_session,
        settings=history.settings,
        username="olga",
        reason="wrong_person",
        reason_text="namesake",
        batch_id=batch_id,
        policy=history.policy,
    )
    for statement in (
        "UPDATE recalls SET reason = 'policy_error'",
        "DELETE FROM recall_items",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            store_session.execute(text(statement))
        store_session.rollback()


def test_two_officers_racing_to_recall_one_record_make_one_recall(
    store_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "var", policy_file=tmp_path / "policy.toml")
    with store_sessions() as session:
        history = make_history(session, settings, tmp_path)
        batch_id = released_batch(session, history)
        target = _disclosed(session, batch_id)[0]
    start = threading.Barrier(2)
    results: list[str] = []

    def recall(username: str) -> None:
        with store_sessions() as session:
            start.wait()
            try:
                create_recall(
                    session=session,
                    settings=settings,
                    username=username,
                    reason="wrong_person",
                    reason_text="namesake",
                    batch_id=batch_id,
                    request_ids=[target],
                    policy=history.policy,
                )
                results.append("recalled")
            except StateError as exc:
                session.rollback()
                results.append("refused" if "recalled" in exc.message else exc.message)

    threads = [threading.Thread(target=recall, args=(name,)) for name in ("olga", "otto")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["recalled", "refused"]
    with store_sessions() as session:
        [only] = repos.list_recalls(session=session)
        assert [i.request_id for i in repos.recall_items(session=session, recall_id=only.id)] == [
            target
        ]
        assert len(_events(session, "recall")) == 1
        [refusal] = _events(session, "refusal")
        assert refusal["detail"]["why"] == "already_recalled"  # type: ignore[index]
        assert verify(session=session).ok
    notices = sorted(p.name for p in (settings.data_dir / "recalls").iterdir())
    assert notices == [only.id, f"{only.id}.zip"]  # the loser's notice was removed
