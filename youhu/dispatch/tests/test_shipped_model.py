"""The default model shipped in the repository: small, plain arrays, described by its README, the same in
every process, and what the product uses until a model is trained on site."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from youhu.dispatch import classifier
from youhu.dispatch.classifier.training import default_data_path, sha256_of

SHIPPED = classifier.SHIPPED_MODEL
README = SHIPPED.parent / "README.md"
TEXTS = [
    "小区门口路灯坏了一个多月，晚上漆黑一片，井盖也缺失，请尽快维修。",
    "工厂每天夜里排放刺鼻废气，附近河涌污水发黑发臭。",
    "公司拖欠工资三个月不发，也不给缴纳社保，请劳动部门处理。",
    "学校违规收取补课费，孩子课业负担很重。",
    "出租车司机拒载还绕路多收费，请交通部门查处。",
]


@pytest.fixture(scope="module")
def shipped() -> classifier.Classifier:
    return classifier.load(SHIPPED)


def test_the_shipped_model_is_a_compact_plain_array_file(shipped):
    assert SHIPPED.stat().st_size < 5_000_000
    with np.load(SHIPPED, allow_pickle=False) as archive:
        assert all(archive[name].dtype.kind in "iufU" for name in archive.files)
    assert len(shipped.labels) == 7 and shipped.header["training"]["rows"] > 6000


def test_its_readme_names_the_file_the_data_the_command_and_the_figures(shipped):
    readme = README.read_text(encoding="utf-8")
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() in readme
    training = shipped.header["training"]
    assert training["sha256"]["labeled_appeals.csv"] in readme
    assert "Teddy Cup" in readme and "youhu model train" in readme and "--output" in readme
    cv = training["cv"]
    assert cv["folds"] == 5
    assert f"{cv['macro_f1']:.4f}" in readme and f"{cv['accuracy']:.4f}" in readme
    assert f"{cv['precision_at_coverage']['80%']:.4f}" in readme


@pytest.mark.needs_shared
def test_it_was_trained_on_the_public_data_as_it_is_now(shipped):
    assert shipped.header["training"]["sha256"] == {"labeled_appeals.csv": sha256_of(default_data_path())}


def test_it_classifies_plain_appeals_sensibly(shipped):
    assert [p.label for p in shipped.predict(TEXTS)] == ["城乡建设", "环境保护", "劳动和社会保障", "教育文体", "交通运输"]


def test_a_fresh_process_predicts_and_explains_the_same(shipped):
    """The n-gram hash is NumPy integer arithmetic, not Python's per-process salted hash()."""
    script = (
        "import json, sys\n"
        "from youhu.dispatch.classifier import SHIPPED_MODEL, load\n"
        "m = load(SHIPPED_MODEL)\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps({'proba': m.predict_proba(texts).tolist(),"
        " 'terms': [m.explain(t, m.predict([t])[0].label) for t in texts]}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(TEXTS), capture_output=True,
                          text=True, check=True, timeout=120, env={"PYTHONHASHSEED": "12345", "PATH": ""},
                          cwd=settings.REPO_DIR)
    there = json.loads(done.stdout)
    np.testing.assert_array_equal(np.array(there["proba"]), shipped.predict_proba(TEXTS))
    assert there["terms"] == [shipped.explain(t, p.label) for t, p in zip(TEXTS, shipped.predict(TEXTS), strict=True)]


def test_the_package_data_carries_the_model_and_its_readme():
    root = Path(classifier.__file__).resolve().parents[3]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["youhu.dispatch.classifier"]
    for path in (SHIPPED, README):
        relative = str(path.relative_to(SHIPPED.parents[1]))
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative

