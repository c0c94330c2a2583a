"""Intake fixtures: the default policy and a writer of request files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crossverify.policy import Policy


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write text (UTF-8) or bytes to a file of the given name under tmp_path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path

    return write
