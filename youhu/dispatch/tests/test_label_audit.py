"""`youhu model audit`: out-of-fold probabilities from the training pipeline, cleanlab's label issues."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from youhu.dispatch.classifier.audit import audit
from youhu.dispatch.classifier.text import prepare
from youhu.dispatch.classifier.training import load_dataset

# Three topics with their own words; an appeal is a few of its topic's phrases in random order.
TOPICS = {
    "交通运输": ["公交车站", "红绿灯故障", "道路拥堵", "出租车拒载", "地铁站口", "停车位不足"],
    "教育文体": ["学校招生", "幼儿园学位", "老师补课", "学生校服", "图书馆开放", "体育馆收费"],
    "环境保护": ["工厂排放废气", "河道污水", "噪音扰民", "垃圾焚烧", "油烟污染", "工地扬尘"],
}
# Rows whose label is deliberately wrong: (row index, the wrong label written for it).
FLIPPED = {3: "环境保护", 40: "交通运输", 77: "教育文体"}


def _rows(per_topic: int = 30) -> list[dict]:
    rng = random.Random(7)
    rows = []
    for label, phrases in TOPICS.items():
        for _ in range(per_topic):
            text = "，".join(rng.sample(phrases, 3)) + "，请有关部门尽快处理。"
            rows.append({"title": "", "text": text, "label": label})
    for index, wrong in FLIPPED.items():
        rows[index] = {**rows[index], "true": rows[index]["label"], "label": wrong}
    # A text a spreadsheet would run as a formula.
    rows[77]["text"] = "=" + rows[77]["text"]
    return rows


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "labelled.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["title", "text", "label"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(_rows())
    return path


def test_audit_finds_the_flipped_labels_and_suggests_the_true_ones(data_csv):
    rows = _rows()
    result = audit(load_dataset([data_csv], include_db=False), folds=3)
    found = {f.row: f for f in result.findings}
    assert set(FLIPPED) <= set(found)
    for index, wrong in FLIPPED.items():
        assert (found[index].given, found[index].suggested) == (wrong, rows[index]["true"])
        assert found[index].confidence > found[index].given_probability
    # Clean rows of clear topics are not disputed (a few borderline ones may be, not a flood).
    assert len(result.findings) <= len(FLIPPED) + 3
    assert (result.rows, result.folds) == (90, 3)


def test_limit_audits_a_stratified_sample(data_csv):
    result = audit(load_dataset([data_csv], include_db=False), folds=3, limit=45)
    assert result.rows == 45
    assert all(0 <= f.row < 90 for f in result.findings)


def test_command_prints_ranked_findings_and_writes_a_safe_csv(data_csv, tmp_path):
    out_csv = tmp_path / "findings.csv"
    out = io.StringIO()
    call_command("model", "audit", "--data", str(data_csv), "--no-db", "--folds", "3", "--out", str(out_csv),
                 stdout=out)
    printed = out.getvalue()
    assert "label issues" in printed and "/ 90 rows" in printed
    first = printed.splitlines()[1]
    assert first.lstrip().startswith("1.") and "→" in first
    with out_csv.open(encoding="utf-8-sig") as fh:
        written = list(csv.DictReader(fh))
    texts = {r["text"] for r in written}
    assert texts >= {prepare("", _rows()[i]["text"]) for i in FLIPPED if i != 77}
    assert "'" + prepare("", _rows()[77]["text"]) in texts  # quoted: shown as text, never a formula
    assert [int(r["rank"]) for r in written] == list(range(1, len(written) + 1))


def test_command_refuses_too_few_folds(data_csv):
    with pytest.raises(CommandError, match="folds"):
        call_command("model", "audit", "--data", str(data_csv), "--no-db", "--folds", "1", stdout=io.StringIO())


@pytest.mark.needs_shared
def test_audit_on_a_sample_of_the_public_data_finds_a_few_percent():
    """A sample keeps it quick; the full run's figures are in docs/dispatch-model.md."""
    dataset = load_dataset(include_db=False)
    result = audit(dataset, folds=3, limit=1500)
    assert result.rows == 1500
    assert 0 < len(result.findings) < 0.1 * result.rows
    assert all(f.suggested != f.given and f.confidence > f.given_probability for f in result.findings)
