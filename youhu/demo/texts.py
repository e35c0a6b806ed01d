"""Appeal and reply texts for the demo tickets: the public Teddy Cup data when it is there, else generated.

The public residents' messages are not in the repository: they are read from `SHARED_DIR/data`
(../shared beside the repository, or YOUHU_SHARED_DIR) when present; otherwise textgen.py writes
plausible appeals and replies of the same seven first-level categories, placed in the demo district.

The data anonymises places as "A市", "A3区"; the demo moves them to Guangzhou's Haizhu district and,
where a text names a street of that district, to the ticket's street. Replies come with the appeal
they answer (messages_with_replies.csv), so a replied demo ticket reads as one coherent case; the
first-level category of those messages is precomputed (`python -m youhu.demo.texts`, see below).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from . import textgen

DATA_DIR = Path(__file__).resolve().parent / "data"
REPLY_LABELS = DATA_DIR / "reply_labels.csv"

_CITY = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{0,2}市")
_DISTRICT = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{1,2}区")
_COUNTY = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{0,2}县")
# Replies end with their own date (2019); the demo ticket's reply has its own time.
_TRAILING_DATE = re.compile(r"\s*\d{4}年\d{1,2}月\d{1,2}日[。.]?\s*$")
_PROVINCE = re.compile(r"西地省|A省")
# "海珠区XX街道" after the district rewrite: the street is replaced by the ticket's own.
_STREET_AFTER_DISTRICT = re.compile(r"海珠区[\u4e00-\u9fff]{2,4}?街道")
_PHONE = re.compile(r"0731-[0-9-]+")
_WS = re.compile(r"\s+")
# Without the public data: this many generated texts (a demo's tickets cycle through them), fixed seeds.
GENERATED_APPEALS = 700
GENERATED_REPLIED = 420
_GENERATED_SEED = 20200501


@dataclass(frozen=True)
class AppealText:
    key: str  # source file and row id, for tracing a demo ticket back to its source
    title: str
    content: str
    level1: str
    reply: str = ""


def shared_data_dir() -> Path:
    return Path(settings.SHARED_DIR) / "data"


def _generated(n: int, seed: int, *, with_replies: bool) -> tuple[AppealText, ...]:
    kind = "generated-replied" if with_replies else "generated"
    return tuple(AppealText(f"{kind}:{i}", title, content, level1, reply)
                 for i, (title, content, level1, reply) in enumerate(
                     textgen.generated_appeals(n, seed, with_replies=with_replies)))


def localise(text: str, street_name: str | None = None) -> str:
    """Move an anonymised text to Haizhu district (and to `street_name` where it names a street)."""
    text = _PROVINCE.sub("广东省", text)
    text = _CITY.sub("广州市", text)
    text = _DISTRICT.sub("海珠区", text)
    text = _COUNTY.sub("海珠区", text)
    text = _PHONE.sub("020-12345", text)
    if street_name:
        text = _STREET_AFTER_DISTRICT.sub(f"海珠区{street_name}", text)
    return text


def undated(reply: str) -> str:
    return _TRAILING_DATE.sub("", reply)


_SALUTATION = re.compile(r"^(尊敬的[^，,：:]{0,12}[：:，,]|(各位)?领导(们)?(您|你)?好[！!，,：:。]?|(您|你)好[！!，,：:。]?)\s*")
_CLAUSE = re.compile(r"[^，,。！？!?；;：:\n]+")
TITLE_SHORT = 30


def _title_from(text: str) -> str:
    """A short title for a text that came without one: its first clauses, without a salutation."""
    body = text.strip()
    while (stripped := _SALUTATION.sub("", body, count=1)) != body:
        body = stripped
    title = ""
    for clause in _CLAUSE.findall(body):
        title = f"{title}，{clause.strip()}" if title else clause.strip()
        if len(title) >= 12:
            break
    title = title or body
    return title[: TITLE_SHORT - 1] + "…" if len(title) > TITLE_SHORT else title


def _clean(text: str) -> str:
    return _WS.sub(" ", (text or "").replace("\u3000", " ")).strip()


@lru_cache(maxsize=1)
def labelled_appeals() -> tuple[AppealText, ...]:
    """Appeals with their first-level category (no reply)."""
    path = shared_data_dir() / "appeals" / "labeled_appeals.csv"
    if not path.is_file():
        return _generated(GENERATED_APPEALS, _GENERATED_SEED, with_replies=False)
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            content, label = _clean(row["text"]), (row["label"] or "").strip()
            if len(content) < 15 or not label:
                continue
            title = _clean(row["title"]) or _title_from(content)
            rows.append(AppealText(f"labeled:{row['id'] or i}", title[:200], content[:4900], label))
    return tuple(rows)


@lru_cache(maxsize=1)
def replied_appeals() -> tuple[AppealText, ...]:
    """Appeals with the government's reply and a precomputed first-level category."""
    path = shared_data_dir() / "replies" / "messages_with_replies.csv"
    if not path.is_file():
        return _generated(GENERATED_REPLIED, _GENERATED_SEED + 1, with_replies=True)
    labels = {}
    with REPLY_LABELS.open(encoding="utf-8", newline="") as fh:
        labels = {row["id"]: row["level1"] for row in csv.DictReader(fh)}
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            content, reply = _clean(row["text"]), _clean(row["reply"])
            level1 = labels.get(row["id"])
            if len(content) < 15 or len(reply) < 20 or not level1:
                continue
            title = _clean(row["title"]) or _title_from(content)
            rows.append(AppealText(f"replies:{row['id']}", title[:200], content[:4900], level1, reply[:9900]))
    return tuple(rows)


def label_replies(out: Path = REPLY_LABELS) -> int:
    """Give each replied message the first-level category a text classifier trained on the labelled
    appeals predicts (char n-gram TF-IDF + linear SVM); writes `reply_labels.csv`. Run once, by hand."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    train = labelled_appeals()
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vec.fit_transform([a.title + " " + a.content for a in train])
    model = LinearSVC(C=0.5).fit(x, [a.level1 for a in train])
    with (shared_data_dir() / "replies" / "messages_with_replies.csv").open(encoding="utf-8", newline="") as fh:
        rows = [(r["id"], _clean(r["title"]) + " " + _clean(r["text"])) for r in csv.DictReader(fh)]
    predicted = model.predict(vec.transform([text for _id, text in rows]))
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "level1"])
        writer.writerows((row_id, label) for (row_id, _t), label in zip(rows, predicted, strict=True))
    return len(rows)


if __name__ == "__main__":  # pragma: no cover - a by-hand data step
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    django.setup()
    print(f"labelled {label_replies()} replied messages -> {REPLY_LABELS}")
