from __future__ import annotations

import numpy as np
import pytest

from youhu.dispatch import textsim
from youhu.dispatch.duplicates import find_duplicates
from youhu.dispatch.services import latest_suggestion, merge_duplicate, triage, triage_many
from youhu.dispatch.textsim import similarities
from youhu.testing.factories import at, make_area, make_ticket
from youhu.tickets import services as tickets
from youhu.tickets.models import CloseReason, Status

FIRST = ("琶洲某工厂夜间排污", "琶洲街道某工厂每天夜间向河涌排污，气味刺鼻，附近居民无法开窗。")
SECOND = ("琶洲工厂夜里排污", "琶洲街道某工厂每天夜里向河涌排污，气味刺鼻，附近居民都无法开窗。")
OTHER = ("琶洲路灯不亮", "琶洲街道某小区门口路灯不亮，夜间行人不便。")


def test_similarity_separates_rewording_from_other_problems():
    first, second, other = ("\n".join(t) for t in (FIRST, SECOND, OTHER))
    same, different = similarities(first, [second, other])
    assert same > 0.6 > different
    assert similarities("", [first]) == [0.0]
    assert similarities("！！！", ["？？？"]) == [0.0]


def test_cached_hashing_gives_the_scores_of_a_fresh_matrix(monkeypatch):
    monkeypatch.setattr(textsim, "_counts_cache", textsim.Recent(2))  # evictions happen on every call below
    first, second, other = ("\n".join(t) for t in (FIRST, SECOND, OTHER))

    def fresh(text: str, others: list[str]) -> list[float]:
        matrix = textsim.tfidf_matrix([text, *others])
        return [float(s) for s in (matrix[1:] @ matrix[0].T).toarray().ravel()]

    for text, others in [(first, [second, other]), (second, [first, other, first]), (other, [first, second]),
                         (first, [second, other])]:
        assert similarities(text, others) == pytest.approx(fresh(text, others), abs=1e-12)
    assert len(textsim._counts_cache) == 2


def test_a_similarity_table_gives_the_cosines_of_a_fitted_tfidf_for_any_pair():
    first, second, other = ("\n".join(t) for t in (FIRST, SECOND, OTHER))
    # Empty texts (no n-grams: rows without entries) first, between and last.
    texts = ["", first, second, "！", "", other, "新港东路 88 号路灯不亮，夜间行人不便", ""]
    table = textsim.SimilarityTable(texts)
    reference = textsim.tfidf_matrix(texts)  # scikit-learn's TfidfTransformer on the same hashed counts
    everyone = list(range(len(texts)))
    np.testing.assert_allclose(table.block(everyone, everyone), (reference @ reference.T).toarray(), atol=1e-12)
    for i, text in enumerate(texts):
        others = [j for j in everyone if j != i]
        assert list(table.scores(i, others)) == pytest.approx(
            similarities(text, [texts[j] for j in others]), abs=1e-12)
    assert table.block([0, 1], [2, 0]).shape == (2, 2) and table.block([], [1]).shape == (0, 1)


def test_hashed_counts_give_the_cosines_of_scikit_learns_vocabulary_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["\n".join(t) for t in (FIRST, SECOND, OTHER)] + ["新港东路 88 号路灯不亮，夜间行人不便", "路灯"]
    reference = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(texts)
    expected = (reference[1:] @ reference[0].T).toarray().ravel()
    # Hashing folds n-grams into buckets, and the odd shared bucket moves a cosine a little (< 0.001 here).
    assert similarities(texts[0], texts[1:]) == pytest.approx(list(expected), abs=0.01)


@pytest.mark.django_db
class TestDuplicates:
    def test_near_identical_open_ticket_is_suggested_and_holds_auto_dispatch(self, smart):
        first = triage(make_ticket(title=FIRST[0], content=FIRST[1], now=at("2026-03-02 09:00")),
                       now=at("2026-03-02 09:00"))
        assert first.status == Status.DISPATCHED
        second = triage(make_ticket(title=SECOND[0], content=SECOND[1], now=at("2026-03-03 09:00")),
                        now=at("2026-03-03 09:00"))
        assert second.status == Status.REGISTERED
        suggestion = latest_suggestion(second)
        assert [d["ticket_id"] for d in suggestion.duplicates] == [first.pk]
        assert suggestion.duplicates[0]["score"] > 0.6
        assert "疑似重复" in suggestion.hold_reason

    def test_other_street_old_or_closed_tickets_are_not_candidates(self, smart):
        now = at("2026-03-20 09:00")
        elsewhere = make_area("海幢街道")
        make_ticket(title=FIRST[0], content=FIRST[1], now=now, street=elsewhere)
        old = smart.ticket_in(Status.REGISTERED, title=FIRST[0], content=FIRST[1], now=at("2026-03-02 09:00"))
        tickets.update_location(old, street=smart.street, community=None, unresolved=False)
        new = make_ticket(title=SECOND[0], content=SECOND[1], now=now, street=smart.street)
        assert find_duplicates(new, now=now, days=7) == []
        assert [c.ticket for c in find_duplicates(new, now=now, days=30)] == [old]

    def test_merge_makes_one_reply_answer_both(self, smart):
        first = triage(make_ticket(title=FIRST[0], content=FIRST[1], now=at("2026-03-02 09:00")),
                       now=at("2026-03-02 09:00"))
        second = triage(make_ticket(title=SECOND[0], content=SECOND[1], now=at("2026-03-02 10:00")),
                        now=at("2026-03-02 10:00"))
        merge_duplicate(second, by=smart.dispatcher, into=first, now=at("2026-03-02 10:05"))
        second.refresh_from_db()
        assert second.status == Status.CLOSED and second.close_reason == CloseReason.MERGED
        assert second.duplicate_of == first
        tickets.accept(first, by=smart.env_handler, now=at("2026-03-02 11:00"))
        tickets.reply(first, by=smart.env_handler, text="已责令该厂停止排污并立案查处。", now=at("2026-03-03 11:00"))
        second.refresh_from_db()
        assert second.reply_text == "已责令该厂停止排污并立案查处。"


@pytest.mark.django_db
class TestBatch:
    """Triage of several waiting tickets at once decides as triage of one after the other would."""

    def make(self, appeal, minute):
        return make_ticket(title=appeal[0], content=appeal[1], now=at(f"2026-03-02 09:{minute:02d}"))

    def test_a_batch_finds_the_duplicates_one_by_one_triage_finds(self, smart):
        earlier = triage(self.make(FIRST, 0), now=at("2026-03-02 09:00"))  # in the pool, not in the batch
        batch = [self.make(OTHER, 1), self.make(SECOND, 2), self.make(FIRST, 3)]
        assert triage_many(batch, now=at("2026-03-02 09:05")) == {}
        found = {t.pk: [d["ticket_id"] for d in latest_suggestion(t).duplicates] for t in batch}
        # The batch's second near-copy is held for the pool's ticket and for the batch's earlier one, newest
        # (equal scores) or closest first; the street lamp appeal holds nothing.
        assert found[batch[0].pk] == []
        assert set(found[batch[1].pk]) == {earlier.pk}
        assert set(found[batch[2].pk]) == {earlier.pk, batch[1].pk}
        assert [t.status for t in batch] == [Status.DISPATCHED, Status.REGISTERED, Status.REGISTERED]

    def test_one_ticket_taken_by_a_person_meanwhile_leaves_the_rest_of_the_batch_triaged(self, smart):
        batch = [self.make(OTHER, 1), self.make(FIRST, 2)]
        taken = type(batch[0]).objects.get(pk=batch[0].pk)
        tickets.register(taken, by=smart.dispatcher)  # a dispatcher was quicker: the batch's copy is stale
        failed = triage_many(batch, now=at("2026-03-02 09:05"))
        assert list(failed) == [batch[0].pk] and "刚被他人处理" in str(failed[batch[0].pk])
        assert batch[0].status == Status.REGISTERED and not batch[0].dispatch_suggestions.exists()
        assert batch[0].events.filter(action="register").count() == 1  # the dispatcher's only
        assert batch[1].status == Status.DISPATCHED and batch[1].dispatch_suggestions.count() == 1


@pytest.mark.django_db
def test_the_pool_is_found_in_its_index_without_reading_every_recent_ticket(smart):
    """A ticket's row holds its whole text: filtering the pool row by row read every recent ticket's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from youhu.dispatch.duplicates import _pool

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's planner chooses by table statistics")
    probe = make_ticket(title=FIRST[0], content=FIRST[1])
    probe.category = smart.environment  # no street known: the pool of the whole district
    with CaptureQueriesContext(connection) as queries:
        _pool(probe, at("2026-03-02 10:00"), 7, exclude=[probe.pk])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {queries.captured_queries[0]['sql']}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    # Covering: the pool's pks come from the index alone; texts are read for the tickets not seen lately.
    assert "USING COVERING INDEX ticket_duplicate_pool" in plan, plan


@pytest.mark.django_db
def test_texts_once_read_are_not_read_again_and_follow_the_pool_order(smart, django_assert_num_queries):
    from youhu.dispatch.duplicates import opening_texts

    first = make_ticket(title=FIRST[0], content=FIRST[1] * 40)
    second = make_ticket(title=OTHER[0], content=OTHER[1])
    with django_assert_num_queries(1):
        assert opening_texts([second.pk, first.pk, 10**9]) == {
            second.pk: f"{OTHER[0]}\n{OTHER[1]}", first.pk: f"{FIRST[0]}\n{FIRST[1] * 40}"[:400]}
    with django_assert_num_queries(0):
        assert list(opening_texts([first.pk, second.pk])) == [first.pk, second.pk]
