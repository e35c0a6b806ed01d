from datetime import timedelta

from youhu.dispatch.classifier.training import read_corrections
from youhu.dispatch.models import LabelledExample
from youhu.testing.factories import at, make_ticket

TEXT = "琶洲街道新港东路的路灯坏了一周，请尽快维修。"


def test_training_learns_only_the_newest_decision_per_ticket(db):
    ticket = make_ticket(content=TEXT)
    first = at("2026-03-02 10:00")
    sources = [choice for choice, _label in LabelledExample.Source.choices]
    LabelledExample.objects.create(text=TEXT, label="交通运输", source=sources[0], ticket=ticket, created_at=first)
    LabelledExample.objects.create(text=TEXT, label="城乡建设", source=sources[-1], ticket=ticket,
                                   created_at=first + timedelta(hours=3))
    LabelledExample.objects.create(text="学校门口交通拥堵", label="交通运输", source=sources[0], created_at=first)
    labels = sorted(label for _text, label in read_corrections())
    assert labels == ["交通运输", "城乡建设"]
