"""The portal's map at phone width: a resident taps the place, reads the street, submits; searches a name;
and a deployment's tile server shows under the outlines."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from youhu.tickets.models import Ticket

from .conftest import Shooter

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
PAZHOU = (23.098, 113.37)  # (lat, lon) of 琶洲街道's office in the gazetteer, GCJ-02


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def _open_portal(page, live_server) -> None:
    page.goto(f"{live_server.url}/portal/")
    page.wait_for_selector("#place-picker[data-ready='1']")


def _tap_at(page, lat: float, lon: float) -> None:
    """Tap the screen where the map shows this point, as a finger would."""
    page.locator("#place-map").scroll_into_view_if_needed()
    x, y = page.evaluate("""([lat, lon]) => {
        const point = window.YouhuPlacePicker.map.latLngToContainerPoint([lat, lon]);
        const box = document.getElementById('place-map').getBoundingClientRect();
        return [box.left + point.x, box.top + point.y];
    }""", [lat, lon])
    page.touchscreen.tap(x, y)


def test_resident_taps_the_map_sees_the_street_and_submits(phone, live_server, district):
    page = phone
    _open_portal(page, live_server)
    assert page.locator("input[name=lat]").get_attribute("type") == "hidden"
    assert page.get_by_label("纬度").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing may stick out sideways on a phone"

    _tap_at(page, *PAZHOU)
    chosen = page.locator("#place-chosen")
    chosen.filter(has_text="琶洲街道").wait_for()
    assert page.get_by_label("所在街道").input_value() == str(district.street.pk)
    Shooter(page, "portal-map")("tapped")

    page.get_by_label("标题").fill("路口井盖松动")
    page.get_by_label("诉求内容").fill("琶洲街道一路口的井盖松动，车辆经过时响声很大，担心有人踩空，请尽快修理。")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="提交诉求").click()
    page.wait_for_selector("#tracking-code")
    ticket = Ticket.objects.get(number=page.locator("#ticket-number").inner_text().strip())
    assert ticket.street == district.street
    assert ticket.lat == pytest.approx(PAZHOU[0], abs=0.002) and ticket.lon == pytest.approx(PAZHOU[1], abs=0.002)
    assert page.js_errors == []


def test_resident_finds_a_community_by_name_and_corrects_it(phone, live_server, district):
    page = phone
    _open_portal(page, live_server)
    page.get_by_label("搜索地名").fill("黄埔村")
    page.locator("#place-results button", has_text="黄埔村社区").click()
    page.locator("#place-chosen").filter(has_text="琶洲街道 · 黄埔村社区").wait_for()
    assert page.get_by_label("所在社区").input_value() == str(district.community.pk)
    page.get_by_label("所在社区").select_option("")
    page.locator("#place-chosen").filter(has_text="已更正为：琶洲街道").wait_for()
    assert page.js_errors == []


def _tile_png() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 230, 200)).save(data, "PNG")
    return data.getvalue()


def test_a_configured_tile_server_shows_under_the_outlines(phone, live_server, district, settings):
    settings.YOUHU = {**settings.YOUHU, "MAP_TILES": "http://tiles.invalid/{z}/{x}/{y}.png",
                      "MAP_TILES_ATTRIBUTION": "测试底图"}
    asked: list[str] = []
    tile = _tile_png()

    def serve(route):  # the browser's tile requests never leave the test
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=tile)

    phone.route("http://tiles.invalid/**", serve)
    _open_portal(phone, live_server)
    phone.wait_for_selector(".leaflet-tile-loaded")
    tiles = [re.fullmatch(r"http://tiles\.invalid/(\d+)/(\d+)/(\d+)\.png", url) for url in asked]
    assert tiles and all(tiles), asked
    # The template's {x} at zoom {z} is the district's column (113.23–113.42° E), not some other place's.
    for z, x, _y in (map(int, t.groups()) for t in tiles):
        assert int((113.2 + 180) / 360 * 2**z) <= x <= int((113.45 + 180) / 360 * 2**z)
    assert phone.locator(".leaflet-overlay-pane path").count() == 18  # the outlines stay on top
    assert "测试底图" in phone.locator(".leaflet-control-attribution").inner_text()
