"""The dispatch classifier: training, the model file, predictions, explanations, bad input, commands.

Trained once per module on a small stratified sample of the public labelled appeals (fast), in tmp dirs;
those tests skip where ../shared is absent. The shipped default model has its own tests (test_shipped_model.py).
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
from youhu.dispatch.classifier.features import ModelSpec, build_estimator, to_arrays
from youhu.dispatch.classifier.ngrams import ngram_buckets
from youhu.dispatch.classifier.text import prepare
from youhu.dispatch.classifier.training import (
    Dataset,
    TrainingDataError,
    default_data_path,
    fit_pipeline,
    load_dataset,
    sha256_of,
    train,
)
from youhu.testing.shared import SKIP_REASON

PER_CLASS_TRAIN = 40
PER_CLASS_TEST = 10


def _sample() -> tuple[list[dict], list[dict]]:
    path = default_data_path()
    if not path.exists():
        pytest.skip(SKIP_REASON)
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
    path = tmp_path_factory.mktemp("models") / "m.npz"
    train(load_dataset([train_csv], include_db=False), path)
    return path


@pytest.fixture(scope="module")
def model(model_file) -> classifier.Classifier:
    return classifier.load(model_file)


@pytest.fixture(scope="module")
def pipeline(train_csv):
    """The fitted scikit-learn (vectorizer, estimator) that training converts into the file's arrays."""
    data = load_dataset([train_csv], include_db=False)
    return fit_pipeline(data.texts, data.labels)


@pytest.fixture(scope="module")
def converted(pipeline) -> classifier.Classifier:
    """`pipeline` as the runtime's arrays (liblinear's shuffling makes two fits differ a little: one fit)."""
    return classifier.Classifier(to_arrays(*pipeline))


@pytest.fixture(scope="module")
def stored(converted, tmp_path_factory) -> classifier.Classifier:
    """`converted` saved as a model file and loaded back."""
    path = tmp_path_factory.mktemp("converted") / "m.npz"
    storage.save(path, storage.make_header(converted.labels, {}), converted.model)
    return classifier.load(path)


def _rewritten(source: Path, target: Path, **changes) -> Path:
    """A copy of a model file with some arrays (or the header, as a dict) replaced; None drops an array."""
    with np.load(source, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if isinstance(changes.get("header"), dict):
        changes["header"] = np.array(json.dumps(changes["header"], ensure_ascii=False))
    arrays.update(changes)
    with target.open("wb") as fh:
        np.savez(fh, **{name: a for name, a in arrays.items() if a is not None})
    return target


# -- the model file --------------------------------------------------------------------------------


def test_training_writes_a_versioned_loadable_file(model_file, model, train_csv):
    header = storage.read_header(model_file)
    assert header["kind"] == storage.KIND and header["format_version"] == storage.FORMAT_VERSION
    assert header["youhu_version"]
    assert len(header["labels"]) == 7 and "城乡建设" in header["labels"]
    assert header["training"]["rows"] == 7 * PER_CLASS_TRAIN
    assert header["training"]["class_counts"]["交通运输"] == PER_CLASS_TRAIN
    assert header["training"]["sha256"] == {"train.csv": sha256_of(train_csv)}
    assert header["training"]["trained_at"] and header["training"]["spec"]["members"] == ["nbsvm"]
    assert model.labels == header["labels"]
    assert not list(model_file.parent.glob("*.tmp"))  # written atomically, no leftovers


def test_the_file_holds_plain_arrays_only(model_file):
    """Nothing to unpickle: every entry loads with allow_pickle=False and none is an object array."""
    with np.load(model_file, allow_pickle=False) as archive:
        assert set(archive.files) == {"header", *storage.ARRAYS}
        assert all(archive[name].dtype.kind in "iufU" for name in archive.files)


def test_an_old_pickle_model_file_is_refused_with_advice(tmp_path):
    old = tmp_path / "dispatch-classifier.pkl"
    old.write_bytes(storage.PICKLE_MAGIC + b'{"format_version": 1}\n' + b"\x80\x05pickled")
    with pytest.raises(classifier.ModelFileError, match=r"pickle.*youhu model train"):
        classifier.load(old)


def test_older_format_version_is_refused(model_file, tmp_path):
    header = {**storage.read_header(model_file), "format_version": 0}
    with pytest.raises(classifier.ModelFileError, match="format 0.*youhu model train"):
        classifier.load(_rewritten(model_file, tmp_path / "v0.npz", header=header))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "bad-header", "no-header", "other-kind",
                                    "missing-array", "short-idf", "labels-differ", "bucket-out-of-range"])
def test_corrupt_file_is_a_clear_error(model_file, tmp_path, damage):
    raw = model_file.read_bytes()
    path = tmp_path / "broken.npz"
    header = storage.read_header(model_file)
    with np.load(model_file, allow_pickle=False) as archive:
        idf, buckets = archive["idf"], archive["buckets"]
    if damage in ("garbage", "truncated", "empty"):
        path.write_bytes({"garbage": b"\x89PNG\r\n\x1a\n not a model", "truncated": raw[: len(raw) // 2],
                          "empty": b""}[damage])
    else:
        _rewritten(model_file, path, **{
            "bad-header": {"header": np.array("{not json")},
            "no-header": {"header": None},
            "other-kind": {"header": {**header, "kind": "something-else"}},
            "missing-array": {"slopes": None},
            "short-idf": {"idf": idf[:-1]},
            "labels-differ": {"header": {**header, "labels": header["labels"][::-1]}},
            "bucket-out-of-range": {"buckets": np.append(buckets[:-1], 1 << 30)},
        }[damage])
    with pytest.raises(classifier.ModelFileError, match="youhu model train"):
        classifier.load(path)


def test_load_default_is_the_shipped_model_until_one_is_trained(model_dir, model_file):
    assert classifier.default_model_path() == classifier.SHIPPED_MODEL
    shipped = classifier.load_default()
    assert shipped is not None and shipped.header["training"]["sha256"]
    model_dir.mkdir(parents=True)
    classifier.trained_model_path().write_bytes(model_file.read_bytes())
    trained = classifier.load_default()
    assert trained is not shipped and trained.header["training"]["rows"] == 7 * PER_CLASS_TRAIN


def test_load_default_is_none_and_warns_when_missing_or_corrupt(model_dir, caplog, monkeypatch, tmp_path):
    monkeypatch.setattr(classifier, "SHIPPED_MODEL", tmp_path / "not-shipped.npz")
    with caplog.at_level(logging.WARNING):
        assert classifier.load_default() is None
    assert "unavailable" in caplog.text
    model_dir.mkdir(parents=True)
    classifier.trained_model_path().write_bytes(b"junk")
    assert classifier.load_default() is None  # a broken trained model is not silently replaced


def test_load_default_caches_and_notices_a_new_file(model_dir, model_file):
    model_dir.mkdir(parents=True)
    classifier.trained_model_path().write_bytes(model_file.read_bytes())
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


def test_the_model_file_gives_scikit_learns_probabilities(converted, pipeline, sample):
    vectorizer, estimator = pipeline
    texts = [prepare(r["title"], r["text"]) for r in sample[1]]
    np.testing.assert_allclose(converted.predict_proba(texts), estimator.predict_proba(vectorizer.transform(texts)),
                               atol=1e-6)
    # TF-IDF in NumPy is the fitted TfidfTransformer's (float32, as scikit-learn computes it).
    np.testing.assert_allclose(converted.features(texts).toarray(), vectorizer.transform(texts).toarray(),
                               atol=1e-6)
    # Otherwise scipy copies the whole weight matrix on every call: 5x slower for one appeal.
    assert converted.linear.weights.flags["C_CONTIGUOUS"]


def test_the_files_float16_weights_change_probabilities_by_less_than_a_thousandth(converted, stored, sample):
    texts = [prepare(r["title"], r["text"]) for r in sample[1]]
    in_memory, from_file = converted.predict_proba(texts), stored.predict_proba(texts)
    np.testing.assert_allclose(from_file, in_memory, atol=1e-3)
    assert not np.array_equal(from_file, in_memory)  # the file really is rounded: this test measures something
    assert (from_file.argmax(axis=1) == in_memory.argmax(axis=1)).all()
    assert stored.linear.weights.flags["C_CONTIGUOUS"]


def test_two_label_model_predicts_and_explains():
    texts = [f"{p}路灯不亮井盖缺失" for p in "甲乙丙丁戊己庚辛"] + [f"{p}学校食堂收费不合理" for p in "甲乙丙丁戊己庚辛"]
    labels = ["城乡建设"] * 8 + ["教育文体"] * 8
    vectorizer, estimator = fit_pipeline(texts, labels)
    two = classifier.Classifier(to_arrays(vectorizer, estimator))
    np.testing.assert_allclose(two.predict_proba(["学校收费"]),
                               estimator.predict_proba(vectorizer.transform(["学校收费"])), atol=1e-6)
    (p,) = two.predict(["小区路灯不亮"])
    assert p.label == "城乡建设" and len(p.top) == 2
    assert "路灯" in "".join(two.explain("小区路灯不亮", "城乡建设"))
    assert two.explain("小区路灯不亮", "城乡建设") == _sklearn_explanation(vectorizer, estimator, "小区路灯不亮", "城乡建设")


def test_default_model_is_a_calibrated_nbsvm(pipeline):
    assert type(pipeline[1].calibrated_classifiers_[0].estimator).__name__ == "NBSVM"


def test_mean_of_svm_and_nbsvm_averages_the_members_and_has_the_fast_path(train_csv, sample):
    data = load_dataset([train_csv], include_db=False)
    vectorizer, estimator = fit_pipeline(data.texts, data.labels, ModelSpec(members=("svm", "nbsvm")))
    assert isinstance(estimator, MeanOfCalibrated)
    assert [type(m.estimator).__name__ for m in estimator.members_] == ["LinearSVC", "NBSVM"]
    texts = [prepare(r["title"], r["text"]) for r in sample[1]]
    features = vectorizer.transform(texts)
    members = [m.predict_proba(features) for m in estimator.members_]
    np.testing.assert_allclose(estimator.predict_proba(features), np.mean(members, axis=0))
    both = classifier.Classifier(to_arrays(vectorizer, estimator))
    np.testing.assert_allclose(both.predict_proba(texts), np.mean(members, axis=0), atol=1e-6)
    text = "小区路灯不亮，晚上出行不便"
    assert both.explain(text, "城乡建设") == _sklearn_explanation(vectorizer, estimator, text, "城乡建设") != []


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


def _sklearn_explanation(vectorizer, estimator, text: str, label: str, k: int = 5) -> list[str]:
    """explain() as a plain reading of the fitted scikit-learn model gives it: each distinct kept n-gram of the
    text scored TF-IDF value x the label's weight (mean over calibrated copies), highest first, longer first."""
    prepared = prepare("", text)
    row = vectorizer.transform([prepared]).toarray()[0]
    coefs = np.mean([copy.estimator.coef_ for copy in estimator.calibrated_classifiers_], axis=0)
    if coefs.shape[0] == 1:  # binary: one row, for classes_[1]
        coefs = np.vstack([-coefs[0], coefs[0]])
    weights = coefs[[str(c) for c in estimator.classes_].index(label)]
    counter = vectorizer.named_steps["counts"]
    column_of_bucket = {int(b): j for j, b in enumerate(counter.buckets_)}
    columns: dict[str, int] = {}  # each distinct kept n-gram of the text, with its column, shortest first
    for n in range(counter.ngram_min, counter.ngram_max + 1):
        for start in range(len(prepared) - n + 1):
            term = prepared[start:start + n]
            bucket = int(ngram_buckets([term], n, n)[1][0])
            if bucket in column_of_bucket:
                columns.setdefault(term, column_of_bucket[bucket])
    ranked = sorted(((row[c] * weights[c], t) for t, c in columns.items()), key=lambda x: (-x[0], -len(x[1])))
    expected: list[str] = []
    for score, term in ranked:
        if score <= 0 or len(expected) >= k:
            break
        term = term.strip()
        if len(term) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in term) and not any(
                term in c or c in term for c in expected):
            expected.append(term)
    return expected


def test_explanations_are_those_of_the_fitted_scikit_learn_model(converted, pipeline, sample):
    mixed = "小区旁边的工厂每天排放废气，气味刺鼻，附近河道污水发黑，严重污染环境。路灯也不亮，道路坑洼。"
    cases = [(mixed, label) for label in converted.labels] + [
        (r["text"], r["label"]) for r in sample[1][:30] if r["label"] in converted.labels]
    for text, label in cases:
        assert converted.explain(text, label, k=5) == _sklearn_explanation(*pipeline, text, label)


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
    path = classifier.trained_model_path()
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
    rows.append({"no": "@formula", "text": '=HYPERLINK("http://x","y")', "note": "-1"})  # -1: a number, kept
    src = _write_csv(tmp_path / "in.csv", rows, ["no", "text", "note"])  # no title column
    dst = tmp_path / "out.csv"
    call_command("classify", "--input", str(src), "--output", str(dst), "--model", str(model_file),
                 stdout=io.StringIO())
    with dst.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["no", "text", "note", "label", "confidence", "unit"]
        got = list(reader)
    assert [g["no"] for g in got] == [r["no"] for r in rows[:-1]] + ["'@formula"]
    assert all(g["note"] == r["note"] for g, r in zip(got, rows, strict=True))
    assert got[-1]["text"] == """'=HYPERLINK("http://x","y")"""
    assert all(0 <= float(g["confidence"]) <= 1 for g in got)
    assert {g["unit"] for g in got if g["label"] == "环境保护"} <= {"区生态环境局"}
    assert {g["unit"] for g in got if g["label"] != "环境保护"} <= {""}  # no such category in the DB
    assert float(got[-2]["confidence"]) < 0.2


def test_classify_reports_missing_model_and_bad_input(tmp_path, model_file):
    src = _write_csv(tmp_path / "in.csv", [{"text": "路灯不亮"}], ["text"])
    with pytest.raises(CommandError, match="youhu model train"):
        call_command("classify", "--input", str(src), "--output", str(tmp_path / "o.csv"),
                     "--model", str(tmp_path / "none.npz"))
    no_text = _write_csv(tmp_path / "nt.csv", [{"body": "路灯不亮"}], ["body"])
    with pytest.raises(CommandError, match="text"):
        call_command("classify", "--input", str(no_text), "--output", str(tmp_path / "o.csv"),
                     "--model", str(model_file))
    with pytest.raises(CommandError, match="无法读取"):
        call_command("classify", "--input", str(tmp_path / "missing.csv"), "--output",
                     str(tmp_path / "o.csv"), "--model", str(model_file))


@pytest.mark.django_db
def test_model_ensure_without_a_trained_model_uses_the_shipped_one(model_dir, settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "empty-shared"  # nothing to train on, and nothing needed
    out = io.StringIO()
    call_command("model", "ensure", stdout=out)
    assert "shipped" in out.getvalue() and str(classifier.SHIPPED_MODEL) in out.getvalue()
    assert not classifier.trained_model_path().exists()
    model_dir.mkdir(parents=True)
    (model_dir / "dispatch-classifier.pkl").write_bytes(storage.PICKLE_MAGIC + b"{}\n")  # trained before .npz
    out = io.StringIO()
    call_command("model", "ensure", stdout=out)
    assert "pickle" in out.getvalue() and "youhu model train" in out.getvalue() and "shipped" in out.getvalue()


@pytest.mark.django_db
def test_model_train_without_the_public_data_names_the_file_it_needs(model_dir, settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "empty-shared"
    with pytest.raises(CommandError, match=r"labeled_appeals\.csv.*YOUHU_SHARED_DIR.*--data"):
        call_command("model", "train", "--no-db")
    classifier.trained_model_path().parent.mkdir(parents=True)
    classifier.trained_model_path().write_bytes(b"broken")  # a broken trained model cannot be mended without data
    with pytest.raises(CommandError, match="labeled_appeals"):
        call_command("model", "ensure", "--no-db", stdout=io.StringIO())


def test_train_command_refuses_unusable_data(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("model", "train", "--data", str(tmp_path / "x.csv"), "--no-db",
                     "--output", str(tmp_path / "m.npz"))


def test_dataset_len():
    assert len(Dataset(["a", "b"], ["x", "y"], {})) == 2
