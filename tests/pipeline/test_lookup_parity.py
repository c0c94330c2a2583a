"""Lookups (in Python) and batches (in DuckDB) score on the index's probed rows; they must
decide exactly as the whole master does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from crossverify.intake.readers import read_request_bytes
from crossverify.intake.validate import validate_requests
from crossverify.link.backend import make_duckdb
from crossverify.link.candidates import roll_up
from crossverify.link.compiled import open_link
from crossverify.link.index import blocking_keys, key_hash_sql, key_text
from crossverify.link.rowwise import RowwiseLink
from crossverify.link.score import PAIRS_TABLE, ScoredRows, load_model, prior_match_weight
from crossverify.matching import MatchContext, current_model_path, match_requests
from crossverify.standardize.frame import standardize_records
from pipeline.conftest import World


def _accepted(world: World, first: int, count: int) -> pa.Table:
    lines = world.synth.requests_path.read_bytes().splitlines(keepends=True)
    data = lines[0] + b"".join(lines[1 + first : 1 + first + count])
    read = read_request_bytes(data, name="requests.csv", max_rows=count)
    checked = validate_requests(
        read.rows, policy=world.policy, today=date(2026, 12, 4), malformed=read.malformed
    )
    accepted = checked.accepted
    return accepted.append_column("request_row", accepted["row_number"])


def test_lookups_decide_as_the_whole_master_does(world: World, tmp_path: Path) -> None:
    settings = world.settings
    master_dir = settings.master_dir
    model_path = current_model_path(settings.models_dir)
    whole = make_duckdb(settings)
    con = make_duckdb(settings)
    link = RowwiseLink(open_link(con, master_dir, model_path))
    outcomes: dict[str, int] = {}
    # Calls of 25 records and of one, the sizes the API takes.
    for first, count in [(0, 25), (25, 25), (50, 25), (75, 25), *((100 + i, 1) for i in range(40))]:
        accepted = _accepted(world, first, count)
        batch = match_requests(
            con=whole,
            accepted=accepted,
            ctx=MatchContext(master_dir=master_dir, model_path=model_path),
            policy=world.policy,
        )
        looked_up = match_requests(
            con=con,
            accepted=accepted,
            ctx=MatchContext(master_dir=master_dir, model_path=model_path, link=link),
            policy=world.policy,
        )
        assert looked_up.outcomes.to_pylist() == batch.outcomes.to_pylist()
        assert looked_up.expected_wrong_matches == pytest.approx(batch.expected_wrong_matches)
        for o in batch.outcomes["outcome"].to_pylist():
            outcomes[o] = outcomes.get(o, 0) + 1
    # The comparison means something only if the sample holds matches and non-matches.
    assert outcomes.get("M1", 0) + outcomes.get("M2", 0) >= 20
    assert outcomes.get("N1", 0) >= 3
    whole.close()
    con.close()


def test_python_scoring_and_roll_up_leave_what_duckdb_leaves(world: World) -> None:
    """Every pair, gamma level and weight, and every candidate rolled up from them, not only
    the decisions they lead to."""
    settings = world.settings
    model_path = current_model_path(settings.models_dir)
    accepted = _accepted(world, 200, 100)
    std = standardize_records(accepted)
    prior = prior_match_weight(load_model(model_path))
    pairs, candidates = [], []
    for rowwise in (False, True):
        con = make_duckdb(settings)
        link = open_link(con, settings.master_dir, model_path)
        scored = RowwiseLink(link).score(std) if rowwise else link.score(std)
        if isinstance(scored, ScoredRows):
            pairs.append(
                scored.pairs.sort_by([("request_row", "ascending"), ("row_id", "ascending")])
            )
        else:
            pairs.append(
                con.sql(
                    f"SELECT * FROM {PAIRS_TABLE} ORDER BY request_row, row_id"
                ).to_arrow_table()
            )
        candidates.append(roll_up(con=con, scored=scored, requests=std, prior_weight=prior))
        con.close()
    assert pairs[1].num_rows >= 400
    assert candidates[1].num_rows >= 100
    for in_duckdb, in_python in (pairs, candidates):
        assert in_python.schema == in_duckdb.schema
        for name in in_duckdb.schema.names:
            if name.startswith(("mw_", "match_")):
                assert in_python[name].to_pylist() == pytest.approx(
                    in_duckdb[name].to_pylist(), rel=1e-12
                )
            else:
                assert in_python[name].to_pylist() == in_duckdb[name].to_pylist(), name


def test_a_batch_blocked_on_the_index_decides_as_the_whole_master_does(world: World) -> None:
    settings = world.settings
    model_path = current_model_path(settings.models_dir)
    accepted = _accepted(world, 0, 600)
    results = []
    for indexed in (False, True):
        con = make_duckdb(settings)
        link = open_link(con, settings.master_dir, model_path) if indexed else None
        ctx = MatchContext(master_dir=settings.master_dir, model_path=model_path, link=link)
        results.append(match_requests(con=con, accepted=accepted, ctx=ctx, policy=world.policy))
        con.close()
    whole, probed = results
    assert probed.outcomes.to_pylist() == whole.outcomes.to_pylist()
    assert probed.expected_wrong_matches == pytest.approx(whole.expected_wrong_matches)
    matched = [o for o in whole.outcomes["outcome"].to_pylist() if o in ("M1", "M2")]
    assert len(matched) >= 100


def test_each_blocking_rule_orientation_is_a_key() -> None:
    keys = blocking_keys(('l."a" = r."b" AND l."zip5" = r."zip5"', 'l."tin" = r."tin"'))
    assert [(k.master_columns, k.request_columns) for k in keys] == [
        (("a", "zip5"), ("b", "zip5")),
        (("b", "zip5"), ("a", "zip5")),
        (("tin",), ("tin",)),
    ]


def test_a_rule_that_is_not_column_equalities_is_refused() -> None:
    with pytest.raises(ValueError, match="not a conjunction"):
        blocking_keys(('substr(l."zip5", 1, 3) = substr(r."zip5", 1, 3)',))


def test_a_lookups_key_text_hashes_to_the_key_duckdb_hashed() -> None:
    """Lookups hash their keys' texts against an index DuckDB hashed from the columns."""
    con = duckdb.connect()
    values = [("SMITH", "60614", "1200"), ("NUÑEZ", "00901", "12-B"), ("O'BRIEN",), ("",)]
    for key in values:
        table = pa.table({f"c{n}": [v] for n, v in enumerate(key)})
        con.register("one_key", table)
        columns = tuple(table.column_names)
        [(in_index,)] = con.sql(f"SELECT {key_hash_sql(columns, 'r')} FROM one_key r").fetchall()
        [(of_text,)] = con.execute("SELECT hash($1::VARCHAR)", [key_text(key)]).fetchall()
        assert of_text == in_index, key
    [(missing,)] = con.sql(
        f"SELECT {key_hash_sql(('c0',), 'r')} FROM (SELECT NULL AS c0) r"
    ).fetchall()
    assert missing is None
