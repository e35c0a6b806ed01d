"""The portal's place picker: street outlines, name search, the street at a point, and the form's place fields."""

import pytest
from django.conf import settings
from django.core.cache import caches

from youhu.directory.models import Area
from youhu.dispatch import places
from youhu.testing.factories import make_area
from youhu.tickets.models import Ticket

from .test_portal import submit

PAZHOU = (113.37, 23.098)  # the gazetteer's point for 琶洲街道's office (GCJ-02)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    caches[settings.RATELIMIT_USE_CACHE].clear()


def test_streets_are_the_dashboards_outlines_with_directory_ids(client, district):
    shapes = client.get("/api/portal/streets").json()  # no login: residents use it
    by_name = {f["properties"]["name"]: f["properties"] for f in shapes["features"]}
    assert len(by_name) == 18 and by_name["琶洲街道"]["area_id"] == district.street.pk
    assert by_name["赤岗街道"]["area_id"] is None  # a street the directory does not have


def test_locate_names_the_street_and_nearest_community(client, district):
    district.community.lon, district.community.lat = 113.372, 23.099
    district.community.save()
    far = make_area("新洲社区", kind=Area.Kind.COMMUNITY, parent=district.street)
    far.lon, far.lat = 113.40, 23.10
    far.save()
    body = client.get("/api/portal/locate", {"lon": PAZHOU[0], "lat": PAZHOU[1]}).json()
    assert body["street"] == {"id": district.street.pk, "name": "琶洲街道"}
    assert body["community"] == {"id": district.community.pk, "name": "黄埔村社区"}
    outside = client.get("/api/portal/locate", {"lon": 113.5, "lat": 23.3}).json()
    assert outside["street"] is None and outside["community"] is None and "不在" in outside["note"]


def test_locate_converts_a_phones_wgs84_location(client, district):
    gcj_lon, gcj_lat = PAZHOU
    # The WGS-84 point a phone reports there lies about 600 m west-north-west of the GCJ-02 one.
    wgs = {"lon": gcj_lon - 0.0053, "lat": gcj_lat + 0.0026, "datum": "wgs84"}
    body = client.get("/api/portal/locate", wgs).json()
    assert body["lon"] == pytest.approx(gcj_lon, abs=0.0005) and body["lat"] == pytest.approx(gcj_lat, abs=0.0005)
    assert body["street"]["name"] == "琶洲街道"


@pytest.mark.parametrize("query, field", [({"lon": "200", "lat": "23"}, "lon"), ({"lon": "113.3"}, "lat"),
                                          ({"lon": "x", "lat": "23"}, "lon"),
                                          ({"lon": "113.3", "lat": "23", "datum": "bd09"}, "datum")])
def test_locate_refuses_bad_points_by_field(client, district, query, field):
    resp = client.get("/api/portal/locate", query)
    assert resp.status_code == 400 and resp.json()["field"] == field


def test_search_finds_streets_communities_and_landmarks(client, district):
    found = client.get("/api/portal/places", {"q": "琶洲"}).json()
    assert found[0]["name"] == "琶洲街道" and found[0]["street"]["id"] == district.street.pk
    community = client.get("/api/portal/places", {"q": "黄埔村"}).json()[0]
    assert community["kind"] == "community" and community["community"]["id"] == district.community.pk
    assert community["street"]["id"] == district.street.pk
    landmark = client.get("/api/portal/places", {"q": "中大南校区"}).json()[0]  # by another name
    assert landmark["name"] == "中山大学" and landmark["streets"] == ["新港街道"]
    assert landmark["street"] is None  # the directory has no 新港街道 in this test district
    assert client.get("/api/portal/places", {"q": "不存在的地方"}).json() == []
    assert client.get("/api/portal/places", {"q": "  "}).json() == []
    assert client.get("/api/portal/places", {"q": "琶" * 33}).status_code == 400


def test_search_reads_the_areas_once(district, django_assert_num_queries):
    district.street.lon, district.street.lat = 113.371, 23.097  # the directory's office location wins
    district.street.save()
    with django_assert_num_queries(1):
        found = places.search_places("琶洲")
    assert (found[0].lon, found[0].lat) == (113.371, 23.097)


def test_a_road_across_streets_is_not_placed_in_one():
    road = next(p for p in places.search_places("新港西路", areas=[]) if p.kind == "road")
    assert road.street is None and set(road.streets) == {"新港街道", "素社街道"}


def test_form_has_no_coordinate_boxes_and_stores_the_map_point(client, district):
    page = client.get("/portal/").content.decode()
    assert 'type="hidden" name="lat"' in page and 'type="hidden" name="lon"' in page
    assert "纬度" not in page and "经度" not in page
    assert 'id="place-map"' in page and "vendor/leaflet/leaflet.js" in page
    assert f'data-street="{district.street.pk}"' in page  # communities say their street, for the page's filter
    resp = submit(client, street=district.street.pk, community=district.community.pk, lat="23.098", lon="113.37")
    assert resp.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.street, ticket.community, ticket.lat, ticket.lon) == (
        district.street, district.community, 23.098, 113.37)


def test_a_community_alone_sets_its_street_and_a_wrong_pair_is_refused(client, district):
    other = make_area("新港街道")
    assert submit(client, community=district.community.pk).status_code == 302
    assert Ticket.objects.get().street == district.street
    resp = submit(client, street=other.pk, community=district.community.pk)
    assert resp.status_code == 400 and "community" in resp.context["form"].errors
    assert Ticket.objects.count() == 1


def test_tiles_are_shown_only_when_configured(client, district, settings):
    assert 'data-tiles=""' in client.get("/portal/").content.decode()
    settings.YOUHU = {**settings.YOUHU, "MAP_TILES": "https://tiles.example/{z}/{x}/{y}.png"}
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png"' in client.get("/portal/").content.decode()



def test_the_place_reads_are_rate_limited_per_address(client, district, settings):
    settings.YOUHU_PORTAL_API_RATE = "2/d"  # a day's window: the three reads never straddle its end
    answers = [client.get("/api/portal/places", {"q": "琶洲"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "too_many_requests" and "太频繁" in answers[2].json()["message"]
    other = client.get("/api/portal/locate", {"lon": PAZHOU[0], "lat": PAZHOU[1]}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200
