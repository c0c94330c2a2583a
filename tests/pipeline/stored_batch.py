"""A small decided batch stored directly (no linkage): two rows, one M1 and one N1.

The M1's confidence keeps the batch under the default expected-wrong cap (10 per 10,000).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from crossverify.config import Settings
from crossverify.pipeline import ACCEPTED_FILE
from crossverify.store import repos
from crossverify.store.tables import BatchStatus

AGENCY = "ICE ERO"
OTHER_AGENCY = "HSI"


def decided_batch(session: Session, settings: Settings) -> str:
    """Users plus a decided two-row batch (one M1, one N1), its accepted file on disk."""
    requester = repos.add_user(session=session, username="rita", role="requester", agency=AGENCY)
    repos.add_user(session=session, username="hsi", role="requester", agency=OTHER_AGENCY)
    repos.add_user(session=session, username="olga", role="officer")
    repos.add_user(session=session, username="otto", role="officer")
    repos.add_user(session=session, username="ada", role="admin")
    batch = repos.create_batch(
        session=session,
        agency=AGENCY,
        official_name="Jane Roe",
        official_title="Field Office Director",
        signer_public_key="AAAA",
        certification="I certify ...",
        submitted_by=requester.id,
        request_file="request.csv",
        request_sha256="a" * 64,
        manifest="{}",
        policy_id="policy",
    )
    folder = settings.batches_dir / batch.id
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "row_number": pa.array([1, 2], pa.int64()),
                "criminal_statute": ["8 U.S.C. 1326", "8 U.S.C. 1326"],
            }
        ),
        folder / ACCEPTED_FILE,
    )
    repos.save_outcomes(
        session=session,
        batch_id=batch.id,
        outcomes=[
            {
                "row_number": 1,
                "request_id": "A1",
                "outcome": "M1",
                "tin": "123456789",
                "confidence": 0.9999,
                "tax_year": 2023,
                "street": "1 MAIN ST",
                "city": "AUSTIN",
                "state": "TX",
                "zip": "78701",
                "source": "form_1040",
            },
            {"row_number": 2, "request_id": "A2", "outcome": "N1"},
        ],
    )
    repos.set_batch_status(
        session=session,
        batch_id=batch.id,
        expected=BatchStatus.SUBMITTED,
        status=BatchStatus.DECIDED,
        rows_read=2,
        counts={"M1": 1, "N1": 1},
        expected_wrong_matches=0.0001,
    )
    session.commit()
    return batch.id
