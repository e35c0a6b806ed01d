"""The dispatch classifier: training, the model file, predictions, explanations, bad input, commands.

Trained once per module on a small stratified sample of the shared labelled appeals (fast), in tmp dirs.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import random
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from scipy.sparse import csr_matrix
from sklearn.svm import LinearSVC

from youhu.dispatch import classifier
from youhu.dispatch.classifier import storage
from youhu.dispatch.classifier.estimators import NBSVM, MeanOfCalibrated
from youhu.dispatch.classifier.evaluation import precision_at_coverage
from youhu.dispatch.classifier.features import ModelSpec, build_estimator
from youhu.dispatch.classifier.text import prepare
from youhu.dispatch.classifier.training import (
    Dataset,
    TrainingDataError,
    default_data_path,
    fit,
    load_dataset,
    train,
)

PER_CLASS_TRAIN = 40
PER_CLASS_TEST = 10


def _sample() -> tuple[list[dict], list[dict]]:
    path = default_data_path()
    if not path.exists():
        pytest.skip(f"shared labelled data not found at {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        by_label: dict[str, list[dict]] = defaultdict(list)
        for row in csv.DictReader(fh):
            by_label[row["label"]].append(row)
    rng = random.Random(7)
    train_rows, test_rows = [], []
    for rows in by_label.values():
        picked = rng.sample(rows, PER_CLASS_TRAIN + PER_CLASS_TEST)
        train_rows += picked[:PER_CLASS_TRAIN]
        test_rows += picked[PER_CLASS_TRAIN:]
    return train_rows, test_rows


def _write_csv(path: Path, rows: list[dict], fields: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def sample():
    return _sample()


@pytest.fixture(scope="module")
def train_csv(sample, tmp_path_factory) -> Path:
    return _write_csv(tmp_path_factory.mktemp("data") / "train.csv", sample[0], ["id", "title", "text", "label"])


@pytest.fixture(scope="module")
def model_file(train_csv, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "m.pkl"
    train(load_dataset([train_csv], include_db=False), path)
    return path


@pytest.fixture(scope="module")
def model(model_file) -> classifier.Classifier:
    return classifier.load(model_file)


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.MODEL_DIR = tmp_path / "models"
    classifier.reset_default()
    yield settings.MODEL_DIR
    classifier.reset_default()


# -- the model file --------------------------------------------------------------------------------


def test_training_writes_a_versioned_loadable_file(model_file, model):
    header = storage.read_header(model_file)
    assert header["format_version"] == storage.FORMAT_VERSION
    assert header["sklearn_version"] and header["youhu_version"]
    assert len(header["labels"]) == 7 and "城乡建设" in header["labels"]
    assert header["training"]["rows"] == 7 * PER_CLASS_TRAIN
    assert header["training"]["class_counts"]["交通运输"] == PER_CLASS_TRAIN
    assert header["training"]["trained_at"]
    assert model.labels == header["labels"]
    assert not list(model_file.parent.glob("*.tmp"))  # written atomically, no leftovers


def test_file_from_another_sklearn_version_is_refused_with_advice(model_file, tmp_path):
    raw = model_file.read_bytes()
    magic, header_line, payload = raw.split(b"\n", 2)
    header = json.loads(header_line)
    header["sklearn_version"] = "0.99.0"
    other = tmp_path / "old.pkl"
    other.write_bytes(magic + b"\n" + json.dumps(header).encode() + b"\n" + payload)
    with pytest.raises(classifier.ModelFileError, match=r"scikit-learn 0\.99\.0.*youhu model train"):
        classifier.load(other)


def test_older_format_version_is_refused(model_file, tmp_path):
    magic, header_line, payload = model_file.read_bytes().split(b"\n", 2)
    header = {**json.loads(header_line), "format_version": 0}
    other = tmp_path / "v0.pkl"
    other.write_bytes(magic + b"\n" + json.dumps(header).encode() + b"\n" + payload)
    with pytest.raises(classifier.ModelFileError, match="format 0"):
        classifier.load(other)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "bad-header"])
def test_corrupt_file_is_a_clear_error(model_file, tmp_path, damage):
    raw = model_file.read_bytes()
    broken = {
        "garbage": b"\x89PNG\r\n\x1a\n not a model",
        "truncated": raw[: len(raw) // 2],
        "empty": b"",
        "bad-header": storage.MAGIC + b"{not json\n" + raw,
    }[damage]
    path = tmp_path / "broken.pkl"
    path.write_bytes(broken)
    with pytest.raises(classifier.ModelFileError, match="youhu model train"):
        classifier.load(path)


def test_load_default_is_none_and_warns_when_missing_or_corrupt(model_dir, caplog):
    with caplog.at_level(logging.WARNING):
        assert classifier.load_default() is None
    assert "unavailable" in caplog.text
    model_dir.mkdir(parents=True)
    classifier.default_model_path().write_bytes(b"junk")
    assert classifier.load_default() is None


def test_load_default_caches_and_notices_a_new_file(model_dir, model_file):
    model_dir.mkdir(parents=True)
    classifier.default_model_path().write_bytes(model_file.read_bytes())
    first = classifier.load_default()
    assert first is not None and classifier.load_default() is first


# -- predictions ------------------------------------------------------------------------------------


def test_predictions_are_calibrated_probabilities_with_top_three(model, sample):
    texts = [prepare(r["title"], r["text"]) for r in sample[1]]
    predictions = model.predict(texts)
    assert len(predictions) == len(texts)
    for p in predictions:
        assert 0.0 <= p.confidence <= 1.0
        assert len(p.top) == 3 and p.top[0] == (p.label, p.confidence)
        assert [c for _, c in p.top] == sorted((c for _, c in p.top), reverse=True)
        assert len({lab for lab, _ in p.top}) == 3 and sum(c for _, c in p.top) <= 1.0 + 1e-6
    np.testing.assert_allclose(model.predict_proba(texts).sum(axis=1), 1.0, rtol=1e-6)


def test_fast_probabilities_equal_scikit_learns(model, sample):
    features = model.vectorizer.transform([prepare(r["title"], r["text"]) for r in sample[1]])
    assert model._fast is not None
    np.testing.assert_allclose(model._fast.predict_proba(features), model.estimator.predict_proba(features),
                               atol=1e-12)
    # Otherwise scipy copies the whole weight matrix on every call: 5x slower for one appeal.
    assert model._fast.weights.flags["C_CONTIGUOUS"]


def test_two_label_model_predicts_and_explains():
    texts = [f"{p}路灯不亮井盖缺失" for p in "甲乙丙丁戊己庚辛"] + [f"{p}学校食堂收费不合理" for p in "甲乙丙丁戊己庚辛"]
    two = fit(texts, ["城乡建设"] * 8 + ["教育文体"] * 8)
    features = two.vectorizer.transform(["学校收费"])
    np.testing.assert_allclose(two._fast.predict_proba(features), two.estimator.predict_proba(features))
    (p,) = two.predict(["小区路灯不亮"])
    assert p.label == "城乡建设" and len(p.top) == 2
    assert "路灯" in "".join(two.explain("小区路灯不亮", "城乡建设"))


def test_default_model_is_a_calibrated_nbsvm(model):
    assert type(model.estimator.calibrated_classifiers_[0].estimator).__name__ == "NBSVM"


def test_mean_of_svm_and_nbsvm_averages_the_members_and_has_the_fast_path(train_csv, sample):
    data = load_dataset([train_csv], include_db=False)
    both = fit(data.texts, data.labels, ModelSpec(members=("svm", "nbsvm")))
    assert isinstance(both.estimator, MeanOfCalibrated)
    assert [type(m.estimator).__name__ for m in both.estimator.members_] == ["LinearSVC", "NBSVM"]
    features = both.vectorizer.transform([prepare(r["title"], r["text"]) for r in sample[1]])
    members = [m.predict_proba(features) for m in both.estimator.members_]
    np.testing.assert_allclose(both.estimator.predict_proba(features), np.mean(members, axis=0))
    assert both._fast is not None
    np.testing.assert_allclose(both._fast.predict_proba(features), np.mean(members, axis=0), atol=1e-12)
    assert both.explain("小区路灯不亮，晚上出行不便", "城乡建设")


def test_nbsvm_is_an_svm_on_log_count_ratio_scaled_features():
    rng = np.random.default_rng(0)
    dense = rng.random((60, 30)) * (rng.random((60, 30)) < 0.3)
    y = np.repeat(["a", "b", "c"], 20)
    dense[:, 0] = y == "a"  # a feature only class a has
    X = csr_matrix(dense)
    nb = NBSVM(C=1.0, alpha=1.0).fit(X, y)
    present = (X > 0).astype(float)
    p = 1 + np.asarray(present[y == "a"].sum(axis=0)).ravel()
    q = 1 + np.asarray(present[y != "a"].sum(axis=0)).ravel()
    ratio = np.log((p / p.sum()) / (q / q.sum()))
    svm = LinearSVC(C=1.0).fit(X.multiply(ratio).tocsr(), (y == "a").astype(int))
    np.testing.assert_allclose(nb.decision_function(X)[:, 0], svm.decision_function(X.multiply(ratio).tocsr()))
    assert (nb.predict(X) == y).mean() > 0.9


def test_unknown_model_member_is_refused():
    with pytest.raises(ValueError, match="unknown model members"):
        build_estimator(ModelSpec(members=("svm", "forest")), ["a", "b"] * 5)


def test_small_model_beats_chance_and_confident_ones_are_more_often_right(model, sample):
    truth = np.array([r["label"] for r in sample[1]])
    predictions = model.predict([prepare(r["title"], r["text"]) for r in sample[1]])
    correct = np.array([p.label for p in predictions]) == truth
    confidence = np.array([p.confidence for p in predictions])
    assert correct.mean() > 0.5  # chance is 1/7
    assert precision_at_coverage(confidence, correct, 50) >= correct.mean()


def test_explain_gives_terms_from_the_text(model):
    text = "小区旁边的工厂每天排放废气，气味刺鼻，附近河道污水发黑，严重污染环境。"
    terms = model.explain(text, "环境保护", k=5)
    assert 1 <= len(terms) <= 5
    assert all(t in text and len(t) >= 2 for t in terms)
    assert model.explain(text, "no such label") == []


def test_explain_ranks_terms_by_their_weighted_value_in_the_text(model, sample):
    """The terms are those a plain reading of the linear model gives: value x weight, highest first."""
    from youhu.dispatch.classifier.text import prepare

    mixed = "小区旁边的工厂每天排放废气，气味刺鼻，附近河道污水发黑，严重污染环境。路灯也不亮，道路坑洼。"
    for text, label in [(mixed, label) for label in model.labels] + [
            (r["text"], r["label"]) for r in sample[1][:30] if r["label"] in model.labels]:
        weights = model._linear_weights()[model.labels.index(label)]
        prepared = prepare("", text)
        row = model.vectorizer.transform([prepared]).toarray()[0]
        columns: dict[str, int] = {}  # each distinct kept n-gram of the text, with its column
        for start, n, col in zip(*model.vectorizer.named_steps["counts"].term_occurrences(prepared), strict=True):
            columns.setdefault(prepared[start:start + n], int(col))
        ranked = sorted(((row[c] * weights[c], t) for t, c in columns.items()), key=lambda x: (-x[0], -len(x[1])))
        expected: list[str] = []
        for score, term in ranked:
            if score <= 0 or len(expected) >= 5:
                break
            term = term.strip()
            if len(term) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in term) and not any(
                    term in c or c in term for c in expected):
                expected.append(term)
        assert model.explain(text, label, k=5) == expected


def test_predict_explained_is_predict_and_explain_of_each_text(model, sample):
    texts = [prepare(r["title"], r["text"]) for r in sample[1][:40]] + ["", "hello world"]
    fused = model.predict_explained(texts, k=5)
    assert [p for p, _ in fused] == model.predict(texts)
    assert [terms for _, terms in fused] == [model.explain(t, p.label, k=5) if p.readable else []
                                             for t, p in zip(texts, model.predict(texts), strict=True)]
    assert any(terms for _, terms in fused) and model.predict_explained([]) == []


@pytest.mark.parametrize(
    "text",
    ["", "   ", None, "hello world, the street light is broken", "\x00\x01\x02\xff\ufffd" * 50,
     b"\x89PNG\r\n\x1a\n\x00\x00binary".decode("latin-1"), "1234567890"],
)
def test_unreadable_input_gets_no_opinion(model, text):
    (p,) = model.predict([text])
    assert not p.readable
    assert p.confidence == pytest.approx(1 / len(model.labels))  # the floor: goes to a human
    assert model.explain(text or "", p.label) == []


def test_extremely_long_text_is_read_like_its_beginning(model):
    head = "小区门口道路破损严重，下水道井盖缺失，雨天积水，行人车辆通行困难，请尽快维修。"
    (long_one,) = model.predict([head * 20_000])  # ~800,000 characters
    assert long_one.readable and 0 <= long_one.confidence <= 1
    assert long_one.label == model.predict([head * 60])[0].label


# -- training data ------------------------------------------------------------------------------------


def test_bad_training_data_is_a_clear_error(tmp_path):
    with pytest.raises(TrainingDataError, match="no such file"):
        load_dataset([tmp_path / "missing.csv"], include_db=False)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("title,body\na,b\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match="text,label"):
        load_dataset([wrong], include_db=False)


@pytest.mark.django_db
def test_dispatchers_corrections_are_training_data(train_csv):
    from youhu.dispatch.models import LabelledExample

    for i in range(4):
        LabelledExample.objects.create(text=f"第{i}号楼电梯困人，物业不处理", label="城乡建设", source="corrected",
                                       created_at=timezone.now())
    dataset = load_dataset([train_csv])
    assert dataset.sources == {"csv:train.csv": 7 * PER_CLASS_TRAIN, "db": 4}
    assert dataset.labels.count("城乡建设") == PER_CLASS_TRAIN + 4


def test_rare_labels_are_left_out(tmp_path):
    rows = [{"text": f"路灯不亮第{i}处", "label": "城乡建设"} for i in range(5)]
    rows += [{"text": f"学校收费问题{i}", "label": "教育文体"} for i in range(5)]
    rows += [{"text": "只有一条的类别", "label": "孤例"}]
    dataset = load_dataset([_write_csv(tmp_path / "r.csv", rows, ["text", "label"])], include_db=False)
    assert set(dataset.labels) == {"城乡建设", "教育文体"}


# -- commands ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_model_evaluate_prints_cv_json(tmp_path, sample):
    rows = [r for label_rows in _by_label(sample[0]).values() for r in label_rows[:12]]
    data = _write_csv(tmp_path / "eval.csv", rows, ["title", "text", "label"])
    out = io.StringIO()
    call_command("model", "evaluate", "--data", str(data), "--folds", "3", stdout=out)
    result = json.loads(out.getvalue())
    assert result["rows"] == 7 * 12 and result["folds"] == 3
    assert 0 <= result["accuracy"] <= 1 and 0 <= result["macro_f1"] <= 1
    assert set(result["per_class_f1"]) == set(_by_label(sample[0]))
    assert list(result["precision_at_coverage"]) == ["50%", "60%", "70%", "80%", "90%", "100%"]
    assert result["precision_at_coverage"]["100%"] == pytest.approx(result["accuracy"], abs=1e-4)
    assert all("→" in pair for pair in result["most_confused"])


def _by_label(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["label"]].append(r)
    return out


@pytest.mark.django_db
def test_model_ensure_trains_only_when_needed(model_dir, tmp_path, sample):
    rows = [r for label_rows in _by_label(sample[0]).values() for r in label_rows[:10]]
    data = _write_csv(tmp_path / "d.csv", rows, ["title", "text", "label"])
    out = io.StringIO()
    call_command("model", "ensure", "--data", str(data), stdout=out)
    path = classifier.default_model_path()
    assert path.exists() and "训练" in out.getvalue()
    stamp = path.stat().st_mtime_ns
    call_command("model", "ensure", "--data", str(data), stdout=io.StringIO())
    assert path.stat().st_mtime_ns == stamp  # usable: left alone
    path.write_bytes(b"corrupt")
    call_command("model", "ensure", "--data", str(data), stdout=io.StringIO())
    assert classifier.load(path).labels == sorted(_by_label(rows))
    assert classifier.load_default() is not None


@pytest.mark.django_db
def test_classify_csv_passes_columns_through_and_adds_label_confidence_unit(model_file, tmp_path, sample):
    from youhu.testing.factories import make_category, make_unit

    env = make_unit("区生态环境局")
    make_category("环境保护/大气污染", unit=None)
    make_category("环境保护", unit=env)
    rows = [{"no": str(i), "text": r["text"], "note": "备注,含逗号"} for i, r in enumerate(sample[1])]
    rows.append({"no": "junk", "text": "", "note": ""})
    src = _write_csv(tmp_path / "in.csv", rows, ["no", "text", "note"])  # no title column
    dst = tmp_path / "out.csv"
    call_command("classify", "--input", str(src), "--output", str(dst), "--model", str(model_file),
                 stdout=io.StringIO())
    with dst.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["no", "text", "note", "label", "confidence", "unit"]
        got = list(reader)
    assert [g["no"] for g in got] == [r["no"] for r in rows]
    assert all(g["note"] == r["note"] for g, r in zip(got, rows, strict=True))
    assert all(0 <= float(g["confidence"]) <= 1 for g in got)
    assert {g["unit"] for g in got if g["label"] == "环境保护"} <= {"区生态环境局"}
    assert {g["unit"] for g in got if g["label"] != "环境保护"} <= {""}  # no such category in the DB
    assert float(got[-1]["confidence"]) < 0.2


def test_classify_reports_missing_model_and_bad_input(tmp_path, model_file):
    src = _write_csv(tmp_path / "in.csv", [{"text": "路灯不亮"}], ["text"])
    with pytest.raises(CommandError, match="youhu model train"):
        call_command("classify", "--input", str(src), "--output", str(tmp_path / "o.csv"),
                     "--model", str(tmp_path / "none.pkl"))
    no_text = _write_csv(tmp_path / "nt.csv", [{"body": "路灯不亮"}], ["body"])
    with pytest.raises(CommandError, match="text"):
        call_command("classify", "--input", str(no_text), "--output", str(tmp_path / "o.csv"),
                     "--model", str(model_file))
    with pytest.raises(CommandError, match="无法读取"):
        call_command("classify", "--input", str(tmp_path / "missing.csv"), "--output",
                     str(tmp_path / "o.csv"), "--model", str(model_file))


def test_train_command_refuses_unusable_data(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("model", "train", "--data", str(tmp_path / "x.csv"), "--no-db",
                     "--output", str(tmp_path / "m.pkl"))


def test_dataset_len():
    assert len(Dataset(["a", "b"], ["x", "y"], {})) == 2
