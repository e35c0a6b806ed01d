"""The demo's own appeal and reply texts, used where the public message-board data is absent."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from youhu.demo import district as d
from youhu.demo import texts
from youhu.demo.textgen import LABELS, generated_appeals
from youhu.dispatch import classifier


@pytest.fixture
def no_shared(settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "empty-shared"
    texts.labelled_appeals.cache_clear()
    texts.replied_appeals.cache_clear()
    yield
    texts.labelled_appeals.cache_clear()
    texts.replied_appeals.cache_clear()


def test_without_the_public_data_the_demo_texts_are_generated(no_shared):
    labelled, replied = texts.labelled_appeals(), texts.replied_appeals()
    assert len(labelled) == texts.GENERATED_APPEALS and len(replied) == texts.GENERATED_REPLIED
    assert {a.level1 for a in labelled} == {a.level1 for a in replied} == set(LABELS)
    assert all(a.key.startswith("generated") and a.title and len(a.content) >= 40 and not a.reply for a in labelled)
    assert all(len(a.reply) >= 60 and a.reply.startswith("您好") for a in replied)
    assert len({a.key for a in labelled + replied}) == len(labelled) + len(replied)
    assert len({a.content for a in labelled}) > 0.9 * len(labelled)  # not one text over and over


def test_generated_appeals_are_placed_in_the_demo_district():
    streets = {s.name for s in d.STREETS}
    communities = {c for s in d.STREETS for c, _, _ in s.communities}
    roads = {r for s in d.STREETS for r in s.roads}
    for title, content, _label, _reply in generated_appeals(200, 3, with_replies=False):
        text = title + content
        assert "海珠区" in text or any(c in text for c in communities)
        assert any(s in text for s in streets) or any(c in text for c in communities)
        assert any(r in text for r in roads)


def test_the_same_seed_gives_the_same_texts_and_another_seed_others():
    assert generated_appeals(50, 1, with_replies=True) == generated_appeals(50, 1, with_replies=True)
    assert generated_appeals(50, 1, with_replies=True) != generated_appeals(50, 2, with_replies=True)


def test_the_shipped_model_reads_generated_appeals_as_their_own_category(no_shared):
    model = classifier.load(classifier.SHIPPED_MODEL)
    appeals = texts.labelled_appeals()
    predicted = model.predict_appeals([(a.title, a.content) for a in appeals])
    right = Counter(a.level1 for a, p in zip(appeals, predicted, strict=True) if p.label == a.level1)
    total = Counter(a.level1 for a in appeals)
    assert sum(right.values()) >= 0.9 * len(appeals)
    assert all(right[label] >= 0.75 * total[label] for label in total), (right, total)


@pytest.mark.needs_shared
def test_no_public_text_is_copied_into_the_generator():
    with (texts.shared_data_dir() / "appeals" / "labeled_appeals.csv").open(encoding="utf-8", newline="") as fh:
        public = {row["text"].strip() for row in csv.DictReader(fh)}
    assert not {content for _t, content, _l, _r in generated_appeals(300, 5, with_replies=True)} & public
