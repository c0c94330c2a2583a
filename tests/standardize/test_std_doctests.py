"""The Examples sections of the standardize modules stay true."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from crossverify.standardize import addresses, names, places


@pytest.mark.parametrize("module", [names, addresses, places], ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
