"""The command line: thin wrappers that call the stages and turn errors into messages."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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

# Splink narrates every step at INFO/WARNING; our own messages say what matters.
logging.getLogger("splink").setLevel(logging.ERROR)
console = Console(stderr=True)
out = Console()
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
def store_session() -> Iterator[Session]:
    from crossverify.store.engine import make_engine, migrate, session_factory

    cfg = settings()
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(cfg.store_url)
    migrate(engine)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


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

    result = generate(
        out_dir=out_dir,
        persons=persons,
        requests=requests,
        seed=seed,
        master_format=master_format,
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
    """Standardize a master file into Parquet under the data directory.

    Example: crossverify master load synth/master.parquet
    """
    from crossverify.master.load import load_master

    info = load_master(source=source, out_dir=settings().master_dir)
    out.print(json.dumps(info.__dict__, indent=2, default=str))


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

    try:
        private_pem = key.read_bytes()
    except OSError as exc:
        console.print(f"[red]Error:[/red] cannot read key {key}: {exc.strerror}", highlight=False)
        raise typer.Exit(1) from exc
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

    with store_session() as session:
        result = run_batch(session=session, settings=settings(), policy=policy(), batch_id=batch_id)
    print_summary(result.counts, result.expected_wrong_matches)


@batch_app.command("approve")
@_errors
def batch_approve(batch_id: str, username: AsUser) -> None:
    """Approve a decided batch (an officer who did not submit it)."""
    from crossverify.pipeline import approve_batch

    with store_session() as session:
        result = approve_batch(session=session, batch_id=batch_id, username=username)
    out.print(f"batch {result.batch_id} approved by {username}")


@batch_app.command("release")
@_errors
def batch_release(batch_id: str, username: AsUser) -> None:
    """Write the response package and record every disclosure in the ledger."""
    from crossverify.pipeline import release_batch

    with store_session() as session:
        package = release_batch(
            session=session, settings=settings(), batch_id=batch_id, username=username
        )
    out.print(f"package: {package.zip_path} (sha256 {package.zip_sha256})")


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
