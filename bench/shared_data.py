"""The benchmarks that measure on the public Teddy Cup data say so, and stop clearly where it is absent.

The product runs without it (the repository ships its model and reference data); these benchmarks'
figures are stated on those files, so they need them: ../shared beside the repository, or YOUHU_SHARED_DIR.
"""

from __future__ import annotations

import sys
from pathlib import Path


def require(*paths: Path) -> None:
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        sys.exit("这个基准测试需要公开数据 (this benchmark measures on the public 2020 Teddy Cup data, "
                 f"absent here: {', '.join(missing)}). Put the shared folder beside the repository (../shared) "
                 "or point YOUHU_SHARED_DIR at a folder holding data/appeals, data/hotspot and data/replies.")
