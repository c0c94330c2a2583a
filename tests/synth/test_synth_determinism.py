"""Same arguments, same bytes: the demo data must be reproducible file for file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from crossverify.synth import SynthResult, generate


def file_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_files(
    synth_run: SynthResult, synth_size: tuple[int, int], tmp_path: Path
) -> None:
    persons, requests = synth_size
    again = generate(out_dir=tmp_path, persons=persons, requests=requests)
    first = file_hashes(synth_run.master_path.parent)
    assert set(first) == {
        "master.parquet",
        "requests.csv",
        "requests.manifest.json",
        "truth.csv",
        "policy.toml",
        "keys/demo_signer.pem",
    }
    assert file_hashes(tmp_path) == first
    assert again.scenarios == synth_run.scenarios


def test_other_seed_differs(
    synth_run: SynthResult, synth_size: tuple[int, int], tmp_path: Path
) -> None:
    persons, requests = synth_size
    generate(out_dir=tmp_path, persons=persons, requests=requests, seed=8)
    first, other = file_hashes(synth_run.master_path.parent), file_hashes(tmp_path)
    assert all(first[name] != other[name] for name in first)


@pytest.mark.parametrize("persons, requests", [(1, 0), (3, 5)])
def test_tiny_populations_still_generate(tmp_path: Path, persons: int, requests: int) -> None:
    result = generate(out_dir=tmp_path, persons=persons, requests=requests, master_format="csv")
    assert result.persons == persons and result.requests == requests
    assert sum(result.kinds.values()) == requests


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="persons"):
        generate(out_dir=tmp_path, persons=0, requests=1)
