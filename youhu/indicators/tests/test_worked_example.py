"""docs/indicators.md's worked example, recomputed from the page's own tables: doc and code cannot drift."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from django.conf import settings

from youhu.indicators.scoring import ENTROPY, GIVEN, score

DOC = settings.REPO_DIR / "docs" / "indicators.md"


def tables() -> dict[str, list[dict[str, str]]]:
    """Each table that follows a `<!-- table: name -->` marker, as a list of rows keyed by header."""
    found, lines = {}, DOC.read_text(encoding="utf-8").splitlines()
    for k, line in enumerate(lines):
        if match := re.match(r"<!-- table: (.+) -->", line.strip()):
            body = []
            for row in lines[k + 1:]:
                if not row.startswith("|"):
                    break
                body.append([c.strip() for c in row.strip().strip("|").split("|")])
            header, rows = body[0], body[2:]
            found[match.group(1)] = [dict(zip(header, r, strict=True)) for r in rows]
    return found


def number(cell: str) -> float:
    return math.nan if cell in ("—", "") else float(cell)


def decimals(cell: str) -> int:
    return len(cell.split(".")[1]) if "." in cell else 0


def assert_as_printed(actual: float, cell: str) -> None:
    """Equal to the page's figure at the precision the page prints it."""
    if cell == "—":
        assert math.isnan(actual)
    else:
        assert abs(actual - float(cell)) <= 0.5 * 10 ** -decimals(cell) + 1e-9, (actual, cell)


@pytest.fixture(scope="module")
def example():
    t = tables()
    indicators = t["indicators"]
    codes = [i["code"] for i in indicators]
    dims = list(dict.fromkeys(i["dimension"] for i in indicators))
    values = np.array([[number(row[c]) for c in codes] for row in t["values"]])
    for i in indicators:  # the global weights printed are the products
        assert_as_printed(float(i["weight in dimension"]) * 0.5, i["global weight"])
    kwargs = {"higher_is_better": np.array([i["direction"] == "higher" for i in indicators]),
              "weights": np.array([float(i["global weight"]) for i in indicators]),
              "dimension": np.array([dims.index(i["dimension"]) for i in indicators])}
    return t, codes, dims, values, kwargs


def test_the_normalised_table(example):
    t, codes, _dims, values, kwargs = example
    result = score(values, method=GIVEN, **kwargs)
    for k, row in enumerate(t["normalised"]):
        for j, code in enumerate(codes):
            assert_as_printed(result.normalised[k, j], row[code])


@pytest.mark.parametrize("method, table", [(GIVEN, "given"), (ENTROPY, "entropy")])
def test_index_rank_count_and_dimensions(example, method, table):
    t, _codes, dims, values, kwargs = example
    result = score(values, method=method, **kwargs)
    assert result.method == method and not result.notes
    for k, row in enumerate(t[table]):
        assert_as_printed(result.index[k], row["index"])
        assert result.rank[k] == int(row["rank"])
        assert result.counted[k] == int(row["counted"])
        for d, name in enumerate(dims):
            assert_as_printed(result.dimensions[k, d], row[name])


def test_entropy_weights(example):
    t, codes, _dims, values, kwargs = example
    result = score(values, method=ENTROPY, **kwargs)
    printed = {row["code"]: row["weight"] for row in t["entropy weights"]}
    for j, code in enumerate(codes):
        assert_as_printed(result.weights[j], printed[code])
    assert math.isclose(result.weights.sum(), 1.0)
