"""Triage with a real (tiny) trained classifier, so the two halves of smart dispatch stay in step."""

from __future__ import annotations

import itertools

import pytest

from youhu.dispatch.services import latest_suggestion, triage, use_classifier
from youhu.testing.factories import at, make_ticket
from youhu.tickets.models import Status

fit = pytest.importorskip("youhu.dispatch.classifier.training").fit  # built alongside, in its own package
NOW = at("2026-03-02 09:30")
PLACES = ["小区门口", "学校旁边", "菜市场附近", "公交站前", "河涌边上", "老街巷口", "公园东门", "工地对面"]
TOPICS = {
    "环境保护": ["工厂排污气味刺鼻", "夜间施工噪音扰民", "河涌污水发黑发臭", "餐馆油烟直排污染"],
    "城乡建设": ["路灯损坏不亮", "井盖缺失很危险", "人行道破损积水", "违章搭建侵占通道"],
}


@pytest.fixture(scope="module")
def model():
    texts, labels = [], []
    for label, topics in TOPICS.items():
        for place, topic in itertools.product(PLACES, topics):
            texts.append(f"{place}{topic}，请有关部门尽快处理。")
            labels.append(label)
    return fit(texts, labels)


@pytest.mark.django_db
def test_real_model_suggestions_are_stored_and_unreadable_text_waits(smart, model, settings):
    # Two labels: the best always has at least half; at this threshold a readable appeal goes alone.
    settings.YOUHU = {**settings.YOUHU, "AUTO_DISPATCH_CONFIDENCE": 0.5}
    with use_classifier(model):
        ticket = triage(make_ticket(title="排污", content="琶洲某工厂排污气味刺鼻，河涌污水发黑发臭。", now=NOW), now=NOW)
        junk = triage(make_ticket(title="a", content="asdf qwer zxcv 1234", now=NOW), now=NOW)
    suggestion = latest_suggestion(ticket)
    assert suggestion.label == "环境保护"
    assert [row["label"] for row in suggestion.top] == ["环境保护", "城乡建设"]
    assert suggestion.terms  # the model says why
    assert ticket.status == Status.DISPATCHED and ticket.main_unit == smart.env
    assert junk.status == Status.REGISTERED
    assert latest_suggestion(junk).hold_reason == "诉求文本没有可识别的中文内容"
