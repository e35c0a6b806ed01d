"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser) against live_server."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from youhu.accounts import secondfactor
from youhu.directory.models import User

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("YOUHU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"))
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--lang=zh-CN",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright runs an event loop in this thread; Django's ORM calls in the test body are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Shooter:
    """Saves a screenshot of the current page at phone and desktop widths, for a person to look at."""

    def __init__(self, page, journey: str):
        self.page, self.journey = page, journey

    def __call__(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        original = self.page.viewport_size
        for label, size in VIEWPORTS.items():
            self.page.set_viewport_size(size)
            safe = re.sub(r"[^\w.-]+", "_", f"{self.journey}-{name}-{label}")
            self.page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)
        if original:
            self.page.set_viewport_size(original)


@pytest.fixture
def page(browser, request) -> Iterator:
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    page.shoot = Shooter(page, request.node.name)  # type: ignore[attr-defined]
    yield page
    context.close()


def login(page, live_server, username: str, password: str = "pass-1234") -> None:
    """Signs in as a person would; for those who need a second factor, with the code an authenticator app
    would show for a device the test gives them (youhu.accounts)."""
    device = _second_factor_device(username)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name=re.compile("登录")).click()
    if device is not None:
        page.wait_for_url(re.compile(r".*/accounts/verify/$"))
        page.get_by_label("动态验证码").fill(secondfactor.current_code(device))
        page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(re.compile(r".*/$"))


def _second_factor_device(username: str):
    user = User.objects.get(username=username)
    if not secondfactor.asks_for_code(user):
        return None
    device = secondfactor.confirmed_device(user)
    if device is None:
        device = secondfactor.enrolment_device(user)
        device.confirmed = True
    device.last_t = -1  # a second login within one 30 s step may use the same code again
    device.save()
    return device
