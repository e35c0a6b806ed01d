"""Label review: audit findings stored, decided by an admin on the screen, applied by training."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from youhu.directory.models import Role
from youhu.dispatch import reviews
from youhu.dispatch.classifier.audit import Finding
from youhu.dispatch.classifier.text import prepare
from youhu.dispatch.classifier.training import load_dataset
from youhu.dispatch.models import LabelReview
from youhu.testing.factories import at, make_user
from youhu.tickets.errors import InvalidInput, InvalidTransition, NotAllowed

from .test_label_audit import FLIPPED, _rows

NOW = at("2026-03-02 10:00")
LABELS = ["交通运输", "教育文体", "环境保护"]


def _finding(text: str = "学校门口红绿灯故障", given: str = "教育文体", suggested: str = "交通运输",
             confidence: float = 0.9) -> Finding:
    return Finding(row=0, text=prepare("", text), given=given, suggested=suggested, confidence=confidence,
                   given_probability=0.05)


@pytest.fixture
def admin(db):
    return make_user("admin1", Role.ADMIN)


def test_saving_twice_keeps_one_row_and_never_reopens_a_decision(admin):
    assert reviews.save_findings([_finding()], source="csv:x.csv", now=NOW) == (1, 0)
    assert reviews.save_findings([_finding(confidence=0.8)], source="csv:x.csv", now=NOW) == (0, 1)
    review = LabelReview.objects.get()
    assert review.confidence == 0.8
    reviews.decide(review, label="交通运输", by=admin, now=NOW, labels=LABELS)
    assert reviews.save_findings([_finding(confidence=0.7)], source="csv:x.csv", now=NOW) == (0, 0)
    review.refresh_from_db()
    assert (review.status, review.corrected_label, review.confidence) == ("corrected", "交通运输", 0.8)
    assert reviews.pending() == []


def test_decide_confirms_or_corrects_and_checks_who_and_what(admin):
    reviews.save_findings([_finding(), _finding(text="幼儿园学位紧张")], source="s", now=NOW)
    first, second = LabelReview.objects.order_by("id")
    dispatcher = make_user("d1", Role.DISPATCHER)
    with pytest.raises(NotAllowed):
        reviews.decide(first, label="交通运输", by=dispatcher, now=NOW, labels=LABELS)
    with pytest.raises(InvalidInput) as bad:
        reviews.decide(first, label="不存在的分类", by=admin, now=NOW, labels=LABELS)
    assert bad.value.field == "label"
    assert LabelReview.objects.filter(status="pending").count() == 2  # nothing half-stored
    confirmed = reviews.decide(second, label="教育文体", by=admin, now=NOW, labels=LABELS)
    assert (confirmed.status, confirmed.corrected_label, confirmed.decided_by) == ("confirmed", "", admin)
    corrected = reviews.decide(first, label="环境保护", by=admin, now=NOW, labels=LABELS)
    assert (corrected.status, corrected.corrected_label, corrected.decided_at) == ("corrected", "环境保护", NOW)
    with pytest.raises(InvalidTransition):
        reviews.decide(first, label="交通运输", by=admin, now=NOW, labels=LABELS)
    assert reviews.label_overrides() == {(first.text_hash, "教育文体"): "环境保护"}


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["title", "text", "label"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(_rows())
    return path


def test_training_reads_the_corrections(admin, tmp_path):
    data = _csv(tmp_path)
    rows = _rows()
    wrong = FLIPPED[3]
    text = prepare("", rows[3]["text"])
    reviews.save_findings([_finding(text=rows[3]["text"], given=wrong, suggested=rows[3]["true"])],
                          source="s", now=NOW)
    before = load_dataset([data])
    assert before.labels[before.texts.index(text)] == wrong and before.relabelled == 0
    reviews.decide(LabelReview.objects.get(), label=rows[3]["true"], by=admin, now=NOW, labels=LABELS)
    after = load_dataset([data])
    assert after.labels[after.texts.index(text)] == rows[3]["true"]
    assert after.relabelled == 1
    assert load_dataset([data], include_db=False).labels[before.texts.index(text)] == wrong


def test_audit_save_stores_findings_for_the_screen(admin, client, tmp_path):
    call_command("model", "audit", "--data", str(_csv(tmp_path)), "--folds", "3", "--save", stdout=io.StringIO())
    stored = {(r.given_label, r.suggested_label) for r in LabelReview.objects.all()}
    rows = _rows()
    assert {(wrong, rows[i]["true"]) for i, wrong in FLIPPED.items()} <= stored

    client.force_login(admin)
    page = client.get(reverse("dispatch:label_reviews"))
    assert page.status_code == 200
    review = LabelReview.objects.get(given_label=FLIPPED[40],
                                     text=prepare("", rows[40]["text"]))
    assert f'id="review-{review.pk}"' in page.content.decode()
    done = client.post(reverse("dispatch:decide_label", args=[review.pk]), {"label": rows[40]["true"]})
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.corrected_label, review.decided_by) == ("corrected", rows[40]["true"], admin)
    assert f'id="review-{review.pk}"' not in client.get(reverse("dispatch:label_reviews")).content.decode()


def test_only_admins_see_or_decide(db, client, admin):
    reviews.save_findings([_finding()], source="s", now=NOW)
    review = LabelReview.objects.get()
    client.force_login(make_user("d2", Role.DISPATCHER))
    assert client.get(reverse("dispatch:label_reviews")).status_code == 403
    assert client.post(reverse("dispatch:decide_label", args=[review.pk]), {"label": "交通运输"}).status_code == 403
    review.refresh_from_db()
    assert review.status == "pending"


def test_only_saving_findings_needs_the_migrated_database():
    from youhu.cli import _needs_migrated_database

    assert _needs_migrated_database("model", ["audit", "--save"])
    assert not _needs_migrated_database("model", ["audit", "--top", "5"])
    assert not _needs_migrated_database("model", ["train"])
