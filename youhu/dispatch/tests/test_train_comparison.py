"""`youhu model train` compares the new model with the one in use on the same folds, keeps the better."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from youhu.directory.models import Role
from youhu.dispatch import classifier
from youhu.dispatch.classifier.comparison import compare, fold_of, spec_of
from youhu.dispatch.classifier.features import DEFAULT_SPEC, ModelSpec
from youhu.dispatch.classifier.text import prepare, text_hash
from youhu.dispatch.classifier.training import Dataset
from youhu.dispatch.models import LabelReview
from youhu.testing.factories import make_user

from .test_label_audit import _rows
from .test_label_reviews import _csv


def _dataset(relabel: dict[int, str] | None = None) -> Dataset:
    rows = _rows()
    labels = [r.get("true", r["label"]) for r in rows]
    for i, label in (relabel or {}).items():
        labels[i] = label
    return Dataset([prepare("", r["text"]) for r in rows], labels, {"csv:x": len(rows)})


def test_folds_depend_on_the_text_only():
    texts = _dataset().texts
    assert [fold_of(t, 3) for t in texts] == [fold_of(t, 3) for t in texts]
    assert {fold_of(t, 3) for t in texts} == {0, 1, 2}


def test_bad_relabelling_loses_and_relabelled_rows_do_not_judge():
    clean = _dataset()
    # Two thirds of one topic "corrected" to another: unchanged rows of that topic are then mispredicted.
    corrupted = _dataset({i: "教育文体" for i in range(20)})
    result = compare(corrupted, clean, new_spec=DEFAULT_SPEC, current_spec=DEFAULT_SPEC, folds=3, threshold=0.5)
    assert result.rows == 70
    assert result.current.macro_f1 > result.new.macro_f1
    assert not result.new_is_better
    assert compare(clean, corrupted, new_spec=DEFAULT_SPEC, current_spec=DEFAULT_SPEC, folds=3,
                   threshold=0.5).new_is_better


def test_spec_of_reads_the_header():
    header = {"training": {"spec": ModelSpec(members=("svm", "nbsvm"), min_df=2).as_dict() | {"gone": 1}}}
    assert spec_of(header) == ModelSpec(members=("svm", "nbsvm"), min_df=2)
    assert spec_of({"training": {}}) is None


def _review_later(rows: dict[int, str], admin) -> None:
    later = timezone.now() + timedelta(minutes=1)  # decided after the model in use was trained
    for i, label in rows.items():
        text = prepare("", _rows()[i]["text"])
        LabelReview.objects.create(
            text_hash=text_hash(text), text=text, given_label=_rows()[i]["label"], suggested_label=label,
            confidence=0.9, status="corrected", corrected_label=label, found_at=later, decided_by=admin,
            decided_at=later)


def test_train_keeps_the_current_model_when_the_new_is_worse_unless_forced(db, model_dir, tmp_path):
    data = _csv(tmp_path)
    call_command("model", "train", "--data", str(data), "--compare-folds", "0", stdout=io.StringIO())
    path = classifier.trained_model_path()
    first = path.stat().st_mtime_ns
    _review_later({i: "教育文体" for i in range(20) if i != 3}, make_user("a", Role.ADMIN))

    out = io.StringIO()
    call_command("model", "train", "--data", str(data), "--compare-folds", "3", stdout=out)
    assert "保留当前模型" in out.getvalue() and "current: macro-F1=" in out.getvalue()
    assert path.stat().st_mtime_ns == first

    out = io.StringIO()
    call_command("model", "train", "--data", str(data), "--compare-folds", "3", "--force", stdout=out)
    assert "模型已保存" in out.getvalue()
    training = classifier.load(path).header["training"]
    assert training["relabelled"] >= 19  # synthetic texts repeat: a copy of a reviewed text is relabelled too
    assert training["comparison"]["current"]["macro_f1"] > training["comparison"]["new"]["macro_f1"]
    assert 0 <= training["low_confidence_share"] <= 1


def test_train_saves_a_model_that_is_no_worse(db, model_dir, tmp_path):
    data = _csv(tmp_path)
    call_command("model", "train", "--data", str(data), "--compare-folds", "0", stdout=io.StringIO())
    rows = _rows()
    _review_later({i: rows[i]["true"] for i in (3, 40, 77)}, make_user("a", Role.ADMIN))
    out = io.StringIO()
    call_command("model", "train", "--data", str(data), "--compare-folds", "3", stdout=out)
    assert "模型已保存" in out.getvalue(), out.getvalue()
    training = classifier.load(classifier.trained_model_path()).header["training"]
    assert training["relabelled"] == 3
    assert training["comparison"]["new"]["macro_f1"] >= training["comparison"]["current"]["macro_f1"]
