"""Intake of one batch: verify the signed manifest, read the file, validate every row.

The manifest is checked before anything in the file is looked at; a batch that fails
there is refused whole (ManifestError). After that no row can go missing: every data
row of the file is either accepted or rejected, and that is checked here, not assumed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crossverify.errors import InputFileError, ManifestError
from crossverify.intake.manifest import read_manifest, verify_manifest
from crossverify.intake.readers import ReadResult, read_request_bytes
from crossverify.intake.validate import (
    REJECT_HINTS,
    REJECTED_SCHEMA,
    later_duplicates,
    validate_requests,
)
from crossverify.policy import Policy, Signer
from crossverify.types import RejectCode

_DUPLICATE_SENTENCE = (
    f"{RejectCode.R07.value}: request_id was already used by an earlier row. "
    f"{REJECT_HINTS[RejectCode.R07]}"
)


@dataclass(frozen=True)
class IntakeResult:
    """A verified batch split into accepted and rejected rows.

    Attributes:
        signer: the official whose signature on the manifest verified.
        manifest: the manifest as read.
        read: how the request file was read (encoding, delimiter, warnings, counts).
        accepted: rows that passed every rule (`ReadResult.rows` columns).
        rejected: `row_number`, `request_id`, `reasons`, `detail`, ordered by row number;
            malformed rows carry R08 and a null request_id when none could be recovered.
        tins_dropped: accepted rows whose TIN was not nine digits (matched without it).
    """

    signer: Signer
    manifest: dict[str, Any]
    read: ReadResult
    accepted: pa.Table
    rejected: pa.Table
    tins_dropped: int = 0


def intake_batch(
    *, request_file: Path, manifest_file: Path, policy: Policy, today: date
) -> IntakeResult:
    """Verify, read and validate one batch.

    Args:
        request_file: the request file (CSV/TSV, Parquet or JSON Lines).
        manifest_file: its signed manifest (JSON).
        policy: signers, limits and rules in force.
        today: the date removal orders may not be after.

    Returns:
        The signer, the manifest, the read result and the accepted and rejected rows.

    Raises:
        ManifestError: the manifest is unsigned, signed by a key the policy does not list
            or has revoked, or the file's hash differs (the file changed after signing).
        InputFileError: the file cannot be read as a request file at all, its header lacks
            a column of the policy's `required_columns`, or it holds more rows than the
            policy's `max_rows_per_batch`.
    """
    manifest = read_manifest(manifest_file)
    try:
        signer = verify_manifest(manifest, request_file=request_file, policy=policy)
        data = request_file.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read request file {request_file}: {exc.strerror}") from exc
    # Parse exactly the bytes whose hash matches: the file may change after verification.
    if hashlib.sha256(data).hexdigest() != manifest["request_sha256"]:
        raise ManifestError(
            f"request file {request_file.name} changed while it was being read; submit it again"
        )
    read = read_request_bytes(
        data,
        name=request_file.name,
        max_rows=policy.max_rows_per_batch,
        required_columns=policy.required_columns,
    )
    validation = validate_requests(read.rows, policy=policy, today=today, malformed=read.malformed)
    rejected = pa.concat_tables([validation.rejected, malformed_rejects(read)])
    rejected = rejected.sort_by("row_number")
    check_accounting(read, accepted=validation.accepted, rejected=rejected)
    return IntakeResult(
        signer=signer,
        manifest=manifest,
        read=read,
        accepted=validation.accepted,
        rejected=rejected,
        tins_dropped=validation.tins_dropped,
    )


def malformed_rejects(read: ReadResult) -> pa.Table:
    """The malformed rows as R08 rejects; R07 too when their request_id was used earlier."""
    malformed = read.malformed.combine_chunks()
    bad_ids = malformed.column("request_id")
    # Only rows sharing an id with a malformed row can make it a repeat: compare those.
    rows = read.rows.filter(pc.is_in(read.rows.column("request_id"), bad_ids.drop_null()))
    numbers = np.concatenate([_numbers(rows), _numbers(malformed)])
    ids = pa.concat_arrays([rows.column("request_id").combine_chunks(), bad_ids.combine_chunks()])
    duplicate = later_duplicates(numbers, ids)[rows.num_rows :]
    r08 = RejectCode.R08.value
    reasons = pc.if_else(
        pa.array(duplicate, pa.bool_()), f"{RejectCode.R07.value};{r08}", pa.scalar(r08)
    )
    read_detail = pc.binary_join_element_wise(
        f"{r08}: the row cannot be read: ",
        malformed.column("detail").combine_chunks(),
        f". {REJECT_HINTS[RejectCode.R08]}",
        "",
    )
    detail = pc.if_else(
        pa.array(duplicate, pa.bool_()),
        pc.binary_join_element_wise(f"{_DUPLICATE_SENTENCE} ", read_detail, ""),
        read_detail,
    )
    return pa.Table.from_arrays(
        [
            malformed.column("row_number").combine_chunks(),
            bad_ids.combine_chunks(),
            reasons,
            detail,
        ],
        schema=REJECTED_SCHEMA,
    )


def check_accounting(read: ReadResult, *, accepted: pa.Table, rejected: pa.Table) -> None:
    """Every data row of the file exactly once: accepted + rejected = rows read, and the
    row numbers are 1..rows_read with none twice."""
    total = accepted.num_rows + rejected.num_rows
    seen = np.sort(np.concatenate([_numbers(accepted), _numbers(rejected)]))
    if total != read.rows_read or not np.array_equal(
        seen, np.arange(1, read.rows_read + 1, dtype=np.int64)
    ):
        raise AssertionError(
            f"intake lost or doubled rows: {accepted.num_rows} accepted + {rejected.num_rows} "
            f"rejected != {read.rows_read} rows read, or row numbers are not 1..{read.rows_read}"
        )


def _numbers(table: pa.Table) -> np.ndarray:
    return np.asarray(
        table.column("row_number").combine_chunks().to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
