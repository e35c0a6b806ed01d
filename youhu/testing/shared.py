"""Whether the public data folder (../shared, or YOUHU_SHARED_DIR) is there: some tests read it.

The product runs without it (the repository carries its reference data, the default model and a text
generator for the demo); tests that check figures on, or imports of, the public files themselves are
marked `needs_shared` and skip with SKIP_REASON where it is absent. CI keeps the folder, so they run there.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

SKIP_REASON = "../shared data absent"
# The files the marked tests read; present only all together (the folder is one published set).
_PROBE = ("data/appeals/labeled_appeals.csv", "data/replies/messages_with_replies.csv")



def shared_data_present(*paths: str) -> bool:
    """Whether the named files or folders (default: the public data files) are in SHARED_DIR."""
    root = Path(settings.SHARED_DIR)
    return all(_present(root / name) for name in paths or _PROBE)


def _present(path: Path) -> bool:
    return path.is_file() or (path.is_dir() and any(path.iterdir()))
