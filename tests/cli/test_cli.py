"""The command line: every command documents itself; errors are one line and an exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from crossverify.cli import app

runner = CliRunner()


def _commands() -> list[list[str]]:
    root = get_command(app)
    paths: list[list[str]] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            paths.extend([name, child] for child in sub)
        else:
            paths.append([name])
    return paths


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_every_command_has_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    command = get_command(app)
    for part in path:
        command = command.commands[part]  # type: ignore[attr-defined]
    assert command.help, f"{' '.join(path)} has no help text"


def test_missing_policy_is_a_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["batch", "run", "B-1"],
        env={"CROSSVERIFY_DATA_DIR": str(tmp_path), "CROSSVERIFY_POLICY_FILE": "nope.toml"},
    )
    assert result.exit_code == 1
    assert "cannot read policy file nope.toml" in result.output


def test_importing_the_package_loads_no_engine() -> None:
    code = "import sys, crossverify; print('pyspark' in sys.modules, 'splink' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_keys_new_and_batch_sign_make_a_manifest_the_policy_accepts(tmp_path: Path) -> None:
    from crossverify.intake.manifest import read_manifest, verify_manifest
    from crossverify.policy import Policy, Signer

    made = runner.invoke(app, ["keys", "new", str(tmp_path / "k.pem")])
    assert made.exit_code == 0
    public_key = made.output.strip().splitlines()[-1]
    assert (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600
    requests = tmp_path / "r.csv"
    requests.write_text("request_id\nA1\n", encoding="utf-8")
    signed = runner.invoke(
        app,
        [
            "batch",
            "sign",
            str(requests),
            "--key",
            str(tmp_path / "k.pem"),
            "--agency",
            "ICE",
            "--official",
            "A. Director",
            "--title",
            "Director",
            "--certification",
            "certified",
        ],
    )
    assert signed.exit_code == 0, signed.output
    policy = Policy(
        signers=(Signer(name="A. Director", title="Director", agency="ICE", public_key=public_key),)
    )
    signer = verify_manifest(
        read_manifest(tmp_path / "r.manifest.json"), request_file=requests, policy=policy
    )
    assert signer.name == "A. Director"
    again = runner.invoke(app, ["keys", "new", str(tmp_path / "k.pem")])
    assert again.exit_code == 1 and "exists" in again.output
