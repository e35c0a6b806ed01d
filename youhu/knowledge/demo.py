"""Demo extension (`youhu demo load`): the knowledge base of the demo district, 海珠区.

The entries in data/entries.json were written for the demo. When ../shared is present
(`settings.SHARED_DIR`), more are drawn at load time from its public messages with the government's
reply (data/replies/messages_with_replies.csv), moved to 海珠区 as the demo's tickets are; none of that
text is in the repository. Idempotent: entries are keyed on their question.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path

from django.conf import settings

from .models import Entry

ENTRIES = Path(__file__).resolve().parent / "data" / "entries.json"
SHARED_REPLIES = Path("data") / "replies" / "messages_with_replies.csv"
SHARED_COUNT = 60  # replies citing a policy drawn from the shared file: enough to show the search, small to load
SHARED_SOURCE = "政府网站既往答复（公开数据）"
_MAX_QUESTION = Entry._meta.get_field("question").max_length
_PLACES = [(re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{0,2}市"), "广州市"),
           (re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{1,2}[区县]"), "海珠区"),
           (re.compile(r"西地省|A省"), "广东省"), (re.compile(r"0731-[0-9-]+"), "020-12345")]
_TRAILING_DATE = re.compile(r"\s*\d{4}年\d{1,2}月\d{1,2}日[。.]?\s*$")
# The reply's opening names the resident's account (网友“UU0081955”) and acknowledges the message: not an answer.
_OPENING = re.compile(r"^.{0,40}?(网友|您)[“\"]?[A-Za-z0-9]*[”\"]?(您)?好[！!，,。]?\s*(您的留言已收悉[。，,]?)?"
                      r"\s*(现将有关情况(回复|答复)如下[：:])?\s*")
_POLICY = re.compile(r"《[^《》]{2,40}》")


def _localise(text: str) -> str:
    for pattern, name in _PLACES:
        text = pattern.sub(name, text)
    return text.strip()


def written_entries() -> list[dict]:
    rows = json.loads(ENTRIES.read_text(encoding="utf-8"))
    for row in rows:
        row["valid_until"] = date.fromisoformat(row["valid_until"]) if row.get("valid_until") else None
    return rows


def shared_entries(limit: int = SHARED_COUNT) -> list[dict]:
    """Entries from the shared replies file, or none when ../shared is absent."""
    path = Path(settings.SHARED_DIR) / SHARED_REPLIES
    if not path.is_file():
        return []
    found: list[dict] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            question = _localise(row.get("title") or "")[:_MAX_QUESTION]
            answer = _localise(_OPENING.sub("", _TRAILING_DATE.sub("", (row.get("reply") or "").strip())))
            policy = _POLICY.search(answer)
            # Entries answer a kind of question by a policy: reports of one case (举报...) are no such answer.
            if len(question) < 6 or len(answer) < 40 or policy is None or question.startswith("举报"):
                continue
            found.append({"question": question, "answer": answer, "category": "",
                          "policy_source": f"{policy.group(0)}（{SHARED_SOURCE}）", "valid_until": None,
                          "origin": "shared"})
            if len(found) >= limit:
                break
    return found


def load(now: datetime | None = None) -> int:
    """Store the demo entries (again): returns how many there are."""
    rows = [{**row, "origin": "demo"} for row in written_entries()] + shared_entries()
    seen: set[str] = set()
    for row in rows:
        question = row.pop("question")
        if question in seen:  # two shared messages may share a title
            continue
        seen.add(question)
        Entry.objects.update_or_create(question=question, defaults={**row, "active": True})
    return len(seen)
