"""Finding the entries closest to an appeal's text: TF-IDF over character n-grams, cosine similarity.

Chinese has no spaces between words, so the index is built on 1- and 2-character grams (which catch
words like 噪音, 占道, 医保 without a word segmenter; 3-grams made the short questions too rare to match).
An appeal is scored against each entry's question (with its category) and, with less weight, against
the question with the start of its answer, which names the matter in the words of the policy.
It is fitted on the entries only and kept per
process, keyed on the entries' last change (count and newest `updated_at`, which a queryset's update()
stamps too: models.EntryQuerySet): an edit in the admin, an import or a bulk update refits it on the next
search. A few thousand entries make a small sparse matrix.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from .models import Entry

TOP = 3
# Below this cosine similarity an entry shares only stray characters with the appeal: not shown.
MIN_SCORE = 0.15
_ANSWER_CHARS = 200  # the answer's start helps the match; its full text would drown the question
QUESTION_WEIGHT = 0.7


@dataclass(frozen=True)
class _Index:
    key: tuple
    ids: list[int]
    vectorizer: TfidfVectorizer | None
    questions: object  # sparse rows: question and category
    documents: object  # sparse rows: question, category and the answer's start


_lock = threading.Lock()
_cache: dict[str, _Index] = {}


def _key() -> tuple:
    stats = Entry.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (stats["n"], stats["last"])


def _index() -> _Index:
    key = _key()
    with _lock:
        cached = _cache.get("index")
        if cached is not None and cached.key == key:
            return cached
        rows = list(Entry.objects.order_by("pk").values_list("pk", "question", "category", "answer"))
        if not rows:
            index = _Index(key, [], None, None, None)
        else:
            questions = [f"{q} {c}" for _pk, q, c, _a in rows]
            documents = [f"{q} {c} {a[:_ANSWER_CHARS]}" for _pk, q, c, a in rows]
            vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
            vectorizer.fit(questions + documents)
            index = _Index(key, [pk for pk, *_ in rows], vectorizer, vectorizer.transform(questions),
                           vectorizer.transform(documents))
        _cache["index"] = index
        return index


def closest(text: str, *, today: date, top: int = TOP) -> list[tuple[Entry, float]]:
    """The `top` valid entries (active, not expired on `today`) most like `text`, best first, with the score."""
    index = _index()
    if index.vectorizer is None or not text.strip():
        return []
    appeal = index.vectorizer.transform([text])
    scores = (QUESTION_WEIGHT * linear_kernel(appeal, index.questions).ravel()
              + (1 - QUESTION_WEIGHT) * linear_kernel(appeal, index.documents).ravel())
    ranked = [(index.ids[i], float(scores[i])) for i in scores.argsort()[::-1] if scores[i] >= MIN_SCORE]
    # Expired or disabled entries stay in the index (it changes only with the entries), filtered here.
    candidates = ranked[: top * 10]
    entries = Entry.objects.in_bulk([pk for pk, _ in candidates])
    found = [(entries[pk], score) for pk, score in candidates if pk in entries and entries[pk].valid_on(today)]
    return found[:top]
