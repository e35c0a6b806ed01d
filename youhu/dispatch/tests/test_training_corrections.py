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


def test_a_missing_table_leaves_the_callers_transaction_usable(db):
    """Training inside a transaction (a test, a management command's atomic block) on a database whose
    dispatch tables are not there yet: no corrections, and on PostgreSQL the transaction is not left aborted.
    The tables are dropped inside the test's transaction, which puts them back when it rolls back."""
    from django.db import connection

    from youhu.dispatch.classifier.training import read_overrides
    from youhu.dispatch.models import LabelReview
    from youhu.tickets.models import Ticket

    make_ticket(content=TEXT)
    with connection.cursor() as cursor:
        for model in (LabelledExample, LabelReview):
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(model._meta.db_table)}")
    assert read_corrections() == []
    assert read_overrides() == {}
    assert Ticket.objects.count() == 1  # PostgreSQL: "current transaction is aborted" without the savepoint
