"""Running the real `youhu` console script (and Python with the project's settings) in a subprocess, with an
environment of its own: settings are read at import, so each variant needs a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

YOUHU = Path(sys.executable).with_name("youhu")
REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
ENV_TEMPLATE = DEPLOY / "youhu.env"
A_SECRET_KEY = "test-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP"


def clean_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """This process's environment without its YOUHU_* settings (nor what the browser tests set for themselves,
    DJANGO_ALLOW_ASYNC_UNSAFE): an SQLite database in `var_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YOUHU_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DJANGO_SETTINGS_MODULE="youhu.settings", YOUHU_VAR_DIR=str(var_dir),
               YOUHU_SHARED_DIR=str(settings.SHARED_DIR), YOUHU_LOG_LEVEL="ERROR")
    env.update(overrides)
    return env


def youhu(*args: str, env: dict[str, str], timeout: float = 180, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([str(YOUHU), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def python(code: str, *, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def template_env() -> dict[str, str]:
    """The KEY=value lines of deploy/youhu.env (comments and commented-out settings left out)."""
    values = {}
    for line in ENV_TEMPLATE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values
