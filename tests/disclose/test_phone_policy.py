"""Phone numbers never leave: the default policy says so and a policy asking for them is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossverify.errors import PolicyError
from crossverify.policy import Policy, load_policy
from crossverify.types import MATCHED_COLUMNS


def test_phone_is_not_disclosed_by_default_nor_a_matched_column() -> None:
    assert Policy().disclose_phone is False
    assert "phone" not in MATCHED_COLUMNS


def test_policy_asking_for_phone_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("disclose_phone = true\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="phone numbers are not carried"):
        load_policy(path)
