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


# Tests in apps this change did not own that read ../shared, marked here until their owners mark them in place
# (`@pytest.mark.needs_shared` or `@pytest.mark.needs_shared("open311-schemas")`); node id -> what they read.
READS_SHARED: dict[str, tuple[str, ...]] = {
    "youhu/intake/tests/test_import.py::test_the_three_shared_files_import_as_they_are_and_only_once": (),
    "youhu/intake/tests/test_open311.py::test_services_and_definition_match_schemas": ("open311-schemas",),
    "youhu/intake/tests/test_open311.py::test_post_creates_open311_ticket_and_reads_back": ("open311-schemas",),
    "youhu/intake/tests/test_open311.py::test_status_deadline_agency_and_filters": ("open311-schemas",),
}


def shared_data_present(*paths: str) -> bool:
    """Whether the named files or folders (default: the public data files) are in SHARED_DIR."""
    root = Path(settings.SHARED_DIR)
    return all(_present(root / name) for name in paths or _PROBE)


def _present(path: Path) -> bool:
    return path.is_file() or (path.is_dir() and any(path.iterdir()))
