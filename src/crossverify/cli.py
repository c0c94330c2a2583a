"""The command line: thin wrappers that call the stages and turn errors into messages."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from crossverify.config import Settings
from crossverify.errors import CrossverifyError

app = typer.Typer(
    help="crossverify: verify taxpayer addresses for signed enforcement requests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
master_app = typer.Typer(help="Load the taxpayer master file.", no_args_is_help=True)
model_app = typer.Typer(help="Train the linkage model.", no_args_is_help=True)
users_app = typer.Typer(help="Create and list users.", no_args_is_help=True)
batch_app = typer.Typer(
    help="Submit, run, approve and release request batches.", no_args_is_help=True
)
ledger_app = typer.Typer(help="The disclosure ledger and audit trail.", no_args_is_help=True)
keys_app = typer.Typer(help="Ed25519 signing keys for request manifests.", no_args_is_help=True)
app.add_typer(master_app, name="master")
app.add_typer(model_app, name="model")
app.add_typer(users_app, name="users")
app.add_typer(batch_app, name="batch")
app.add_typer(ledger_app, name="ledger")
app.add_typer(keys_app, name="keys")
holds_app = typer.Typer(
    help="Legal holds: while one covers a batch, release and download are refused.",
    no_args_is_help=True,
)
app.add_typer(holds_app, name="holds")
package_app = typer.Typer(help="Check a response package.", no_args_is_help=True)
app.add_typer(package_app, name="package")
review_app = typer.Typer(
    help="Per-record review and scope before release (officers).", no_args_is_help=True
)
app.add_typer(review_app, name="review")

# Splink narrates every step at INFO/WARNING; our own messages say what matters.
logging.getLogger("splink").setLevel(logging.ERROR)
console = Console(stderr=True)
out = Console(soft_wrap=True)  # paths, ids and hashes are never broken across lines
F = TypeVar("F", bound=Callable[..., Any])

AsUser = Annotated[str, typer.Option("--as", help="The user doing this (unique login name).")]


def _errors(func: F) -> F:
    """Turn domain errors into a one-line message and exit code 1 (2 for permission)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CrossverifyError as exc:
            console.print(f"[red]Error:[/red] {exc.message}", highlight=False)
            raise typer.Exit(2 if exc.status == 403 else 1) from exc

    return wrapper  # type: ignore[return-value]


def settings() -> Settings:
    return Settings()


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[..., None]]:
    """A bar on stderr for long work; the callback takes (done, total[, stage])."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int, stage: str | None = None) -> None:
            bar.update(task, completed=done, total=total, description=stage or description)

        yield update


@contextmanager
def store_session() -> Iterator[Session]:
    from crossverify.store.engine import make_engine, migrate, session_factory

    cfg = settings()
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(cfg.store_url)
    migrate(engine)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


def _read_key(key: Path) -> bytes:
    """A private key file's bytes, or a one-line error and exit code 1."""
    try:
        return key.read_bytes()
    except OSError as exc:
        console.print(f"[red]Error:[/red] cannot read key {key}: {exc.strerror}", highlight=False)
        raise typer.Exit(1) from exc


def policy() -> Any:
    from crossverify.policy import load_policy

    return load_policy(settings().policy_file)


@app.command()
@_errors
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write into.")] = Path(
        "synth"
    ),
    persons: Annotated[int, typer.Option(help="Taxpayers and non-filers to invent.")] = 50_000,
    requests: Annotated[int, typer.Option(help="Request rows in the batch.")] = 5_000,
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 7,
    master_format: Annotated[
        Literal["parquet", "csv"], typer.Option(help="Master file format.")
    ] = "parquet",
) -> None:
    """Generate a master file, a signed request batch, a demo policy and a truth file.

    Example: crossverify synth --out synth --persons 50000 --requests 5000
    """
    from crossverify.synth import generate

    with progress_bar("generating") as update:
        result = generate(
            out_dir=out_dir,
            persons=persons,
            requests=requests,
            seed=seed,
            master_format=master_format,
            progress=lambda stage, done, total: update(done, total, stage),
        )
    out.print(f"master file  {result.master_path} ({result.master_rows:,} rows)")
    out.print(f"requests     {result.requests_path} ({result.requests:,} rows)")
    out.print(f"manifest     {result.manifest_path}")
    out.print(f"policy       {result.policy_path}")
    out.print(f"truth        {result.truth_path}")


@master_app.command("load")
@_errors
def master_load(
    source: Annotated[Path, typer.Argument(help="Master file, CSV or Parquet.")],
) -> None:
    """Standardize a master file into Parquet under the data directory, and lay it out for
    blocking and lookups (rows by TIN, blocking keys hashed and sorted).

    Example: crossverify master load synth/master.parquet
    """
    from crossverify.link.backend import make_duckdb
    from crossverify.link.index import open_index
    from crossverify.master.load import load_master

    total = _rows_in(source)
    loaded = 0
    with progress_bar("standardizing") as update:

        def advance(rows: int) -> None:
            nonlocal loaded
            loaded += rows
            update(loaded, max(total, loaded))

        info = load_master(source=source, out_dir=settings().master_dir, progress=advance)
    with (
        progress_bar("laying out for blocking and lookups") as update,
        make_duckdb(settings()) as con,
    ):
        open_index(con, settings().master_dir, update)
    out.print(json.dumps(info.__dict__, indent=2, default=str))


def _rows_in(source: Path) -> int:
    """Rows in a Parquet file from its footer (0 when unknown: a CSV is not counted first)."""
    if source.suffix.lower() != ".parquet":
        return 0
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(source).metadata.num_rows)
    except OSError:
        return 0


@model_app.command("train")
@_errors
def model_train(
    max_pairs: Annotated[float, typer.Option(help="Random pairs for u estimation.")] = 1e7,
) -> None:
    """Train the linkage model on the loaded master file (once per master file)."""
    from crossverify.link.backend import make_duckdb
    from crossverify.link.train import train_model
    from crossverify.master.load import MASTER_PARQUET, read_master_info

    cfg = settings()
    info = read_master_info(cfg.master_dir)
    con = make_duckdb(cfg)
    trained = train_model(
        con=con,
        master_parquet=cfg.master_dir / MASTER_PARQUET,
        master_id=info.master_id,
        out_dir=cfg.models_dir,
        max_pairs=max_pairs,
    )
    out.print(f"model {trained.model_id} saved to {trained.path}")


@users_app.command("add")
@_errors
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="requester, officer, auditor or admin")],
    agency: Annotated[str | None, typer.Option(help="A requester's agency.")] = None,
) -> None:
    """Create a user with one role."""
    from crossverify.store import repos

    with store_session() as session:
        user = repos.add_user(session=session, username=username, role=role, agency=agency)
        session.commit()
        out.print(f"user {user.username} ({user.role}) created")


token_app = typer.Typer(help="Per-user API tokens.", no_args_is_help=True)
users_app.add_typer(token_app, name="token")


@token_app.command("new")
@_errors
def users_token_new(
    username: str,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Create an API token for USERNAME; it is printed once and only its hash is kept.

    Example: crossverify users token new alice --label "case system"
    """
    from crossverify.ledger import record as ledger
    from crossverify.store import repos
    from crossverify.store.tokens import new_token

    with store_session() as session:
        user = repos.get_user_by_name(session=session, username=username)
        row, token = new_token(session=session, user=user, label=label)
        ledger.record_event(
            session=session,
            action="token_new",
            actor="cli",
            detail={"user": username, "id": row.id},
        )
        session.commit()
        console.print(f"token {row.id} for {username} (shown once; store it now):")
        typer.echo(token)


@token_app.command("revoke")
@_errors
def users_token_revoke(token_id: int) -> None:
    """Revoke API token TOKEN_ID (from `token new`); requests with it get 401 from now on."""
    from crossverify.ledger import record as ledger
    from crossverify.store.tokens import revoke_token

    with store_session() as session:
        row = revoke_token(session=session, token_id=token_id)
        ledger.record_event(
            session=session, action="token_revoke", actor="cli", detail={"id": row.id}
        )
        session.commit()
        out.print(f"token {token_id} revoked")


@keys_app.command("new")
@_errors
def keys_new(
    key_file: Annotated[Path, typer.Argument(help="Private key file to write (PEM).")],
) -> None:
    """Make a key pair: the private key goes to KEY_FILE (mode 600), the public key is printed
    for the policy's [[signers]] entry.

    Example: crossverify keys new keys/director.pem
    """
    from crossverify.intake.manifest import new_keypair

    if key_file.exists():
        console.print(f"[red]Error:[/red] {key_file} exists; choose another file", highlight=False)
        raise typer.Exit(1)
    pair = new_keypair()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.touch(mode=0o600)
    key_file.write_bytes(pair.private_pem)
    typer.echo(pair.public_key)


@batch_app.command("sign")
@_errors
def batch_sign(
    request_file: Path,
    *,
    key: Annotated[Path, typer.Option(help="The official's private key (PEM).")],
    agency: Annotated[str, typer.Option(help="Requesting agency, as the policy names it.")],
    official: Annotated[str, typer.Option(help="Name of the signing official.")],
    title: Annotated[str, typer.Option(help="Title of the signing official.")],
    certification: Annotated[
        str, typer.Option(help="The certification the official makes for every record.")
    ],
    manifest: Annotated[Path | None, typer.Option(help="Where to write the manifest.")] = None,
) -> None:
    """Sign a request file into a manifest (SHA-256 of the file + Ed25519 signature).

    Example:
      crossverify batch sign requests.csv --key keys/director.pem --agency "..." \
        --official "A. Director" --title Director --certification "..."
    """
    from crossverify.intake.manifest import sign_manifest, write_manifest

    private_pem = _read_key(key)
    signed = sign_manifest(
        request_file=request_file,
        agency=agency,
        official_name=official,
        official_title=title,
        certification=certification,
        private_pem=private_pem,
    )
    target = manifest or request_file.with_suffix(".manifest.json")
    write_manifest(signed, target)
    out.print(f"manifest written to {target}")


@batch_app.command("submit")
@_errors
def batch_submit(
    request_file: Path,
    manifest: Annotated[Path, typer.Option(help="The signed manifest (JSON).")],
    username: AsUser,
) -> None:
    """Verify the signature, validate every row and store the batch.

    Example:
      crossverify batch submit synth/requests.csv --manifest synth/requests.manifest.json \
        --as requester
    """
    from crossverify.pipeline import submit_batch

    with store_session() as session:
        result = submit_batch(
            session=session,
            settings=settings(),
            policy=policy(),
            request_file=request_file,
            manifest_file=manifest,
            username=username,
        )
    out.print(result.batch_id)
    console.print(
        f"submitted: {result.rows_read} rows, {result.counts.get('rejected', 0)} rejected"
    )


@batch_app.command("run")
@_errors
def batch_run(batch_id: str) -> None:
    """Match every accepted row of a batch and decide its outcome."""
    from crossverify.pipeline import run_batch

    with store_session() as session, progress_bar("matching") as update:
        result = run_batch(
            session=session,
            settings=settings(),
            policy=policy(),
            batch_id=batch_id,
            progress=update,
        )
    print_summary(result.counts, result.expected_wrong_matches)


@batch_app.command("approve")
@_errors
def batch_approve(batch_id: str, username: AsUser) -> None:
    """Approve a decided batch (an officer who did not submit it)."""
    from crossverify.pipeline import approve_batch

    with store_session() as session:
        result = approve_batch(
            session=session,
            batch_id=batch_id,
            username=username,
            settings=settings(),
        )
    out.print(f"batch {result.batch_id} approved by {username}")
    if result.risk is not None:
        risk = result.risk
        out.print(
            f"{risk.disclosures} disclosures, {risk.expected_wrong_matches:g} expected wrong "
            f"matches = {risk.per_10k:g} per 10,000 (policy cap {risk.cap_per_10k:g})"
        )
        if not risk.within_cap:
            console.print(
                "[yellow]over the cap: release will be refused until an officer lowers the "
                "scope (crossverify review lower-scope)[/yellow]"
            )


@batch_app.command("release")
@_errors
def batch_release(batch_id: str, username: AsUser) -> None:
    """Write the response package and record every disclosure in the ledger."""
    from crossverify.pipeline import release_batch

    with store_session() as session:
        package = release_batch(
            session=session,
            settings=settings(),
            batch_id=batch_id,
            username=username,
        )
    out.print(f"package: {package.zip_path} (sha256 {package.zip_sha256})")


@batch_app.command("download")
@_errors
def batch_download(batch_id: str, username: AsUser) -> None:
    """Print the released package's path (officer, or requester of the batch's agency)."""
    from crossverify.pipeline import download_package

    with store_session() as session:
        path = download_package(session=session, batch_id=batch_id, username=username)
    out.print(str(path))


@package_app.command("verify")
@_errors
def package_verify(
    path: Annotated[Path, typer.Argument(help="The package directory or its zip.")],
    public_key: Annotated[
        str | None,
        typer.Option(help="The system's public key (base64); default: the one in the manifest."),
    ] = None,
) -> None:
    """Check every file's SHA-256 and the manifest's Ed25519 signature; exit 1 on tamper.

    Example: crossverify package verify var/packages/B-20260115-ab12.zip --public-key KEY
    """
    from crossverify.disclose.signing import verify_package

    manifest = verify_package(path, public_key=public_key)
    origin = "the given key" if public_key else "the key in the manifest (origin not checked)"
    out.print(
        f"package {manifest.get('batch_id')} intact: {len(manifest['files'])} files, "
        f"signed by {origin}"
    )


@holds_app.command("place")
@_errors
def holds_place(
    username: AsUser,
    court: Annotated[str, typer.Option(help="The court that ordered the hold.")],
    case_number: Annotated[str, typer.Option(help="The court's case number.")],
    reason: Annotated[str, typer.Option(help="Why, in a sentence.")],
    agency: Annotated[
        str | None, typer.Option(help="Only this requesting agency's batches (default: all).")
    ] = None,
) -> None:
    """Place a legal hold (admin).

    Example: crossverify holds place --as ada --court "D. Mass." --case-number 1:26-cv-1
    --reason "TRO"
    """
    from crossverify.pipeline import place_hold

    with store_session() as session:
        hold = place_hold(
            session=session,
            username=username,
            court=court,
            case_number=case_number,
            reason=reason,
            agency=agency,
        )
        out.print(f"hold {hold.id} placed: {hold.reference}, scope {agency or 'all batches'}")


@holds_app.command("lift")
@_errors
def holds_lift(hold_id: int, username: AsUser) -> None:
    """Lift a legal hold (admin); releases and downloads it blocked may resume."""
    from crossverify.pipeline import lift_hold

    with store_session() as session:
        hold = lift_hold(session=session, username=username, hold_id=hold_id)
        out.print(f"hold {hold.id} lifted: {hold.reference}")


@holds_app.command("list")
@_errors
def holds_list(
    active: Annotated[bool, typer.Option(help="Only holds not yet lifted.")] = False,
) -> None:
    """List legal holds, oldest first."""
    from crossverify.store import repos

    table = Table(title="Legal holds")
    for column in ("id", "court", "case", "scope", "placed", "lifted", "reason"):
        table.add_column(column)
    with store_session() as session:
        for hold in repos.list_holds(session=session, active_only=active):
            table.add_row(
                str(hold.id),
                hold.court,
                hold.case_number,
                hold.agency or "all",
                hold.placed_at.isoformat(timespec="seconds"),
                hold.lifted_at.isoformat(timespec="seconds") if hold.lifted_at else "",
                hold.reason,
            )
    out.print(table)


def _review(batch_id: str, request_id: str, decision: str, username: str, reason: str) -> None:
    from crossverify.pipeline import review_record

    with store_session() as session:
        review_record(
            session=session,
            batch_id=batch_id,
            request_id=request_id,
            decision=decision,
            reason=reason,
            username=username,
        )
    out.print(f"{request_id} of batch {batch_id}: {decision} by {username}")


ReviewReason = Annotated[str, typer.Option(help="Why, in a sentence.")]


@review_app.command("confirm")
@_errors
def review_confirm(
    batch_id: str, request_id: str, username: AsUser, reason: ReviewReason = ""
) -> None:
    """Confirm one record's disclosure (an officer who did not submit the batch)."""
    _review(batch_id, request_id, "confirm", username, reason)


@review_app.command("refuse")
@_errors
def review_refuse(
    batch_id: str, request_id: str, username: AsUser, reason: ReviewReason = ""
) -> None:
    """Refuse one record's disclosure: it leaves as unmatched N2 and is not disclosed.

    Example: crossverify review refuse B-20260115-ab12 REQ-7 --as olga --reason "shelter"
    """
    _review(batch_id, request_id, "refuse", username, reason)


@review_app.command("list")
@_errors
def review_list(batch_id: str) -> None:
    """List a batch's review decisions, oldest first (the newest per record is in force)."""
    from crossverify.store import repos

    table = Table(title=f"Reviews of {batch_id}")
    for column in ("request_id", "decision", "reason", "officer", "decided"):
        table.add_column(column)
    with store_session() as session:
        repos.get_batch(session=session, batch_id=batch_id)
        for review in repos.reviews_for_batch(session=session, batch_id=batch_id):
            officer = repos.get_user(session=session, user_id=review.officer_id).username
            table.add_row(
                review.request_id,
                review.decision,
                review.reason,
                officer,
                review.decided_at.isoformat(timespec="seconds"),
            )
    out.print(table)


@review_app.command("lower-scope")
@_errors
def review_lower_scope(
    batch_id: str,
    username: AsUser,
    min_confidence: Annotated[
        float | None,
        typer.Option(help="Withhold disclosures below this; default: the widest within the cap."),
    ] = None,
) -> None:
    """Withhold a batch's disclosures below a confidence, to bring it within the policy's cap.

    Example: crossverify review lower-scope B-20260115-ab12 --as olga --min-confidence 0.995
    """
    from crossverify.pipeline import lower_scope, lower_scope_to_cap

    with store_session() as session:
        if min_confidence is None:
            result = lower_scope_to_cap(
                session=session, batch_id=batch_id, username=username, settings=settings()
            )
        else:
            result = lower_scope(
                session=session,
                batch_id=batch_id,
                min_confidence=min_confidence,
                username=username,
                settings=settings(),
            )
    if result is None:
        out.print(f"batch {batch_id} is within the cap: nothing to withhold")
        return
    risk = result.risk
    out.print(
        f"batch {batch_id}: {result.withheld} disclosures below {result.min_confidence:g} "
        f"withheld; {risk.disclosures} remain, {risk.per_10k:g} expected wrong per 10,000 "
        f"(cap {risk.cap_per_10k:g})"
    )


@app.command()
@_errors
def purge(
    older_than: Annotated[
        int, typer.Option("--older-than", help="Days since release (UTC).", min=0)
    ],
    username: AsUser,
) -> None:
    """Remove request and intermediate files of batches released more than DAYS ago (admin).

    The store, the ledger and the response packages are kept; each purged batch is an audit
    event; a rerun purges nothing twice.
    Example: crossverify purge --older-than 365 --as ada
    """
    from crossverify.pipeline import purge_batches

    with store_session() as session:
        purged = purge_batches(
            session=session, settings=settings(), older_than_days=older_than, username=username
        )
    for batch in purged:
        out.print(f"{batch.batch_id}: {len(batch.files)} files removed")
    out.print(f"{len(purged)} batches purged")


@ledger_app.command("export")
@_errors
def ledger_export(
    first_day: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (UTC).")
    ],
    last_day: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day, included (UTC).")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write into.")],
) -> None:
    """Write the disclosure accounting for a date range as CSV and JSON, with chain status.

    Example: crossverify ledger export --from 2026-01-01 --to 2026-03-31 --out exports/
    """
    from crossverify.ledger.export import export_accounting

    with store_session() as session:
        export = export_accounting(
            session=session,
            first_day=first_day.date(),
            last_day=last_day.date(),
            out_dir=out_dir,
        )
    state = "chain intact" if export.chain.ok else f"CHAIN BROKEN: {export.chain.reason}"
    out.print(
        f"{export.entries} disclosures -> {export.csv_path}, {export.json_path} "
        f"({state}, head {export.chain.head_hash})"
    )
    if not export.chain.ok:
        raise typer.Exit(1)


@ledger_app.command("verify")
@_errors
def ledger_verify() -> None:
    """Verify the ledger's hash chain; report the first broken link."""
    from crossverify.ledger.record import verify

    with store_session() as session:
        status = verify(session=session)
    if status.ok:
        out.print(f"ledger intact: {status.entries} entries, head {status.head_hash}")
        return
    console.print(f"[red]ledger broken at seq {status.first_broken_seq}: {status.reason}[/red]")
    raise typer.Exit(1)


@app.command()
@_errors
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Working directory (recreated).")] = Path(
        "demo"
    ),
    persons: Annotated[int, typer.Option()] = 50_000,
    requests: Annotated[int, typer.Option()] = 5_000,
    seed: Annotated[int, typer.Option()] = 7,
) -> None:
    """Run the whole flow on generated data with SQLite + DuckDB and print the summary."""
    from crossverify.demo import run_demo

    run_demo(out_dir=out_dir, persons=persons, requests=requests, seed=seed, console=console)


def print_summary(counts: dict[str, int], expected_wrong: float | None) -> None:
    table = Table(title="Outcomes")
    table.add_column("code")
    table.add_column("rows", justify="right")
    for code in sorted(counts):
        table.add_row(code, str(counts[code]))
    out.print(table)
    out.print(f"expected wrong matches: {expected_wrong}")


@app.command()
@_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    worker: Annotated[
        bool, typer.Option(help="Run batches in this process (the embedded default).")
    ] = True,
) -> None:
    """Serve the HTTP API with uvicorn.

    Example: crossverify serve --port 8000
    """
    import uvicorn

    from crossverify.api import create_app

    uvicorn.run(create_app(settings(), run_worker=worker), host=host, port=port)


@app.command()
@_errors
def worker(
    poll: Annotated[float, typer.Option(help="Seconds between looks for queued batches.")] = 2.0,
    once: Annotated[bool, typer.Option(help="Run what is queued, then exit.")] = False,
) -> None:
    """Run queued batches (and batches a killed worker left running) until stopped.

    On PostgreSQL this is a procrastinate worker; on SQLite it polls the batches table.

    Example: crossverify worker --once
    """
    from crossverify.jobs import make_runner
    from crossverify.store.engine import make_engine, migrate, session_factory

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    cfg = settings()
    engine = make_engine(cfg.store_url)
    migrate(engine)
    runner = make_runner(sessions=session_factory(engine), settings=cfg, policy=policy())
    try:
        runner.work(poll=poll, once=once)
    finally:
        runner.shutdown()
        engine.dispose()


# Recalls and oversight reports (docs/recall.md)

recall_app = typer.Typer(
    help="Recall released records; record the agency's certification of destruction.",
    no_args_is_help=True,
)
app.add_typer(recall_app, name="recall")
report_app = typer.Typer(help="Reports the statute requires.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@recall_app.command("create")
@_errors
def recall_create(
    *,
    username: AsUser,
    reason: Annotated[str, typer.Option(help="wrong_person, court_order or policy_error.")],
    text: Annotated[str, typer.Option("--text", help="Why, in words.")],
    batch_id: Annotated[
        str | None, typer.Option("--batch", help="The released batch to recall from.")
    ] = None,
    request_ids: Annotated[
        list[str] | None,
        typer.Option("--request-id", help="Only these records of --batch (repeat the option)."),
    ] = None,
    hold_id: Annotated[
        int | None, typer.Option("--hold", help="Every released batch in this hold's scope.")
    ] = None,
    court_order: Annotated[
        str | None, typer.Option(help="The court order cited (required for court_order).")
    ] = None,
) -> None:
    """Recall released records and write a signed recall notice per batch (officer; an admin
    only on a court order, citing it).

    Example: crossverify recall create --as olga --reason wrong_person --text "namesake"
    --batch B-20260115-ab12 --request-id REQ-7 --request-id REQ-9
    """
    from crossverify.recall import create_recall

    with store_session() as session:
        recalls = create_recall(
            session=session,
            settings=settings(),
            username=username,
            reason=reason,
            reason_text=text,
            court_order=court_order,
            batch_id=batch_id,
            request_ids=request_ids or None,
            hold_id=hold_id,
        )
        for recall in recalls:
            out.print(
                f"{recall.id}: batch {recall.batch_id} ({recall.agency}), notice "
                f"{recall.notice_path} (sha256 {recall.notice_sha256})"
            )


@recall_app.command("list")
@_errors
def recall_list(
    overdue: Annotated[bool, typer.Option(help="Only recalls not certified in time.")] = False,
    agency: Annotated[str | None, typer.Option(help="Only this agency's recalls.")] = None,
) -> None:
    """List recalls, oldest first, with their status (open, overdue, certified)."""
    from crossverify.recall import recall_statuses

    # One line per recall, ids first and whole: they are typed back into `recall show`.
    with store_session() as session:
        for s in recall_statuses(
            session=session, agency=agency, overdue_only=overdue, settings=settings()
        ):
            out.print(
                f"{s.recall.id}  {s.status:<9}  batch {s.recall.batch_id}  "
                f"{s.records} records  {s.recall.reason}  "
                f"created {s.recall.created_at.isoformat(timespec='seconds')}  "
                f"certify by {s.certify_by.date().isoformat()}  {s.recall.agency}",
                highlight=False,
            )


@recall_app.command("show")
@_errors
def recall_show(recall_id: str) -> None:
    """Show one recall: reason, notice, records and certification."""
    from crossverify.recall import recall_status
    from crossverify.store import repos

    with store_session() as session:
        s = recall_status(session=session, recall_id=recall_id, settings=settings())
        r = s.recall
        out.print(f"recall {r.id}: {s.status}")
        out.print(f"batch {r.batch_id} ({r.agency}), package sha256 {r.package_sha256}")
        out.print(f"reason {r.reason}: {r.reason_text}")
        if r.court_order:
            out.print(f"court order: {r.court_order}")
        out.print(f"notice {r.notice_path} (sha256 {r.notice_sha256})")
        out.print(f"certify by {s.certify_by.isoformat(timespec='seconds')}")
        if s.certification is not None:
            c = s.certification
            out.print(
                f"certified {c.certified_at.isoformat(timespec='seconds')} ({c.method}"
                + (f", signed by {c.signer_name}" if c.signer_name else "")
                + ")"
            )
        items = repos.recall_items(session=session, recall_id=recall_id)
        out.print(f"{len(items)} records: " + ", ".join(i.request_id for i in items))


@recall_app.command("certify")
@_errors
def recall_certify(
    recall_id: str,
    username: AsUser,
    signed_file: Annotated[
        Path | None,
        typer.Option("--signed-file", help="The agency's signed certification (JSON)."),
    ] = None,
    statement: Annotated[str, typer.Option(help="What the requester confirms.")] = "",
) -> None:
    """Record that the agency destroyed a recall's records: its signed certification file
    (verified against the policy's keys), or a requester of that agency confirming.

    Example: crossverify recall certify RC-20260115-ab12 --as olga --signed-file cert.json
    """
    from crossverify.recall import certify_recall

    certificate = None
    if signed_file is not None:
        try:
            certificate = json.loads(signed_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            console.print(f"[red]Error:[/red] cannot read {signed_file}: {exc}", highlight=False)
            raise typer.Exit(1) from exc
    with store_session() as session:
        certification = certify_recall(
            session=session,
            recall_id=recall_id,
            username=username,
            statement=statement,
            certificate=certificate,
            settings=settings(),
        )
    out.print(f"recall {recall_id} certified ({certification.method})")


@recall_app.command("sign-certificate")
@_errors
def recall_sign_certificate(
    notice: Annotated[Path, typer.Argument(help="The recall notice received (zip).")],
    *,
    key: Annotated[Path, typer.Option(help="The agency official's private key (PEM).")],
    official: Annotated[str, typer.Option(help="Name of the signing official.")],
    title: Annotated[str, typer.Option(help="Title of the signing official.")],
    out_file: Annotated[Path, typer.Option("--out", help="Certification file to write.")],
    statement: Annotated[str | None, typer.Option(help="What the agency certifies.")] = None,
) -> None:
    """For the receiving agency: check a recall notice and sign the certification of
    destruction with the key the policy lists for the agency.

    Example: crossverify recall sign-certificate RC-20260115-ab12.zip --key keys/director.pem
    --official "A. Director" --title Director --out cert.json
    """
    from crossverify.recall import DEFAULT_STATEMENT, certificate_for_notice

    private_pem = _read_key(key)
    document = certificate_for_notice(
        notice_zip=notice,
        private_pem=private_pem,
        official_name=official,
        official_title=title,
        statement=statement or DEFAULT_STATEMENT,
    )
    out_file.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    out.print(f"certification of recall {document['recall_id']} written to {out_file}")


@report_app.command("oversight")
@_errors
def report_oversight(
    first_day: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (UTC).")
    ],
    last_day: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day, included (UTC).")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write into.")],
    pdf: Annotated[bool, typer.Option(help="Also print the HTML to PDF (headless Chromium).")] = (
        False
    ),
) -> None:
    """Write the oversight report (CSV, JSON, HTML, optionally PDF); exit 1 if the ledger's
    chain is broken or a figure does not reconcile with the ledger.

    Example: crossverify report oversight --from 2026-01-01 --to 2026-12-31 --out reports/ --pdf
    """
    from crossverify.oversight.render import write_report
    from crossverify.oversight.report import build_report

    with store_session() as session:
        report = build_report(session=session, first_day=first_day.date(), last_day=last_day.date())
    files = write_report(report, out_dir, pdf=pdf)
    for path in (files.csv_path, files.authorities_csv_path, files.json_path, files.html_path):
        out.print(str(path))
    if files.pdf_path is not None:
        out.print(str(files.pdf_path))
    chain = "chain intact" if report.chain.ok else f"CHAIN BROKEN: {report.chain.reason}"
    failed = [c.name for c in report.checks if not c.ok]
    out.print(
        f"{chain}, head {report.chain.head_hash}; "
        + ("reconciled with the ledger" if not failed else f"NOT RECONCILED: {', '.join(failed)}")
    )
    if not report.chain.ok or failed:
        raise typer.Exit(1)
