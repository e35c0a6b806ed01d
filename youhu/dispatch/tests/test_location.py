from __future__ import annotations

import json

import pytest

from youhu.directory.models import Area
from youhu.dispatch import gazetteer, geo
from youhu.dispatch.location import locate, locate_point, locate_text
from youhu.testing.factories import make_area, make_ticket


@pytest.fixture
def table() -> gazetteer.Gazetteer:
    return gazetteer.build()


class TestGazetteer:
    @pytest.mark.parametrize(("text", "street"), [
        ("琶洲会展中心旁边路灯不亮", "琶洲"),       # landmark
        ("广交会期间乱停车", "琶洲"),               # landmark alias
        ("琶洲街某小区", "琶洲"),                   # street alias
        ("海幢公园门口垃圾", "海幢"),
        ("新港中路中山大学正门", "新港"),           # road spanning streets, narrowed by a landmark
        ("南洲路瑞宝街段积水", "瑞宝"),
        ("新港东路有井盖缺失", "琶洲"),             # a road within one street
    ])
    def test_names_and_aliases_resolve(self, table, text, street):
        guess = table.resolve(text)
        assert guess.street == street

    def test_longest_name_wins(self, table):
        assert table.resolve("南洲路").street is None  # the road crosses streets; not '南洲街道'
        assert [name for name, _ in table.find("新港中路")] == ["新港中路"]

    @pytest.mark.parametrize("text", ["新港中路井盖缺失", "江南大道路面塌陷", "广州塔附近噪音"])
    def test_names_spanning_several_streets_are_not_guessed(self, table, text):
        guess = table.resolve(text)
        assert guess.street is None and len(guess.candidates) >= 2
        assert "多个街道" in guess.note

    def test_contradicting_names_are_not_guessed(self, table):
        guess = table.resolve("住在琶洲，单位在海幢寺旁")
        assert guess.street is None and guess.note == "文本中的地名指向不同街道"

    @pytest.mark.parametrize(("text", "note"), [
        ("小区门口路灯不亮", "文本中未找到本区地名"),
        ("天河区体育西路拥堵", "地点不在本区"),
        ("集中大量投诉", "文本中未找到本区地名"),
    ])
    def test_unknown_place(self, table, text, note):
        guess = table.resolve(text)
        assert guess.street is None and guess.note == note

    def test_directory_areas_and_their_aliases_join_the_gazetteer(self):
        table = gazetteer.build([("street", "琶洲街道", "", ""), ("community", "黄埔村社区", "古港社区", "琶洲街道")])
        guess = table.resolve("古港社区有人占道")
        assert (guess.street, guess.community) == ("琶洲", "黄埔村")

    def test_a_name_shared_by_street_and_community_means_the_street(self):
        table = gazetteer.build([("street", "赤岗街道", "赤岗", ""), ("community", "赤岗社区", "赤岗", "赤岗街道")])
        assert (table.resolve("赤岗有人占道").street, table.resolve("赤岗有人占道").community) == ("赤岗", None)
        assert table.resolve("赤岗社区有人占道").community == "赤岗"


@pytest.mark.django_db
class TestLocate:
    def test_text_sets_street_and_community(self, district):
        location = locate_text("黄埔村社区里路灯坏了")
        assert location.street == district.street and location.community == district.community
        assert not location.unresolved

    def test_street_missing_from_directory_is_unresolved(self, district):
        location = locate_text("海幢寺门口路灯坏了")
        assert location.street is None and location.unresolved

    def test_point_in_polygon(self, district):
        location = locate_point(113.367, 23.104)  # 琶洲 exhibition centre
        assert location.street == district.street and not location.unresolved
        assert locate_point(113.32, 23.14).unresolved  # 天河, across the river

    def test_coordinates_and_text_disagreeing_are_flagged(self, district):
        make_area("海幢街道")
        ticket = make_ticket(content="海幢寺门口路灯坏了", lat=23.104, lon=113.367)
        location = locate(ticket)
        assert location.street is None and location.unresolved and "不一致" in location.note

    def test_intake_street_stands(self, district):
        ticket = make_ticket(content="海幢寺门口路灯坏了", street=district.street)
        assert locate(ticket).street == district.street


class TestStreetShapes:
    def test_one_approximate_shape_per_street_inside_the_district(self):
        shapes = geo.street_shapes()
        names = [f["properties"]["name"] for f in shapes["features"]]
        assert len(names) == 18 and len(set(names)) == 18
        assert shapes["properties"]["approximate"] is True
        outline = geo.district_outline()
        total = sum(s.geometry.area for s in geo.street_geometries())
        assert total == pytest.approx(outline.area, rel=1e-6)  # cells tile the district
        for street in geo.street_geometries():
            assert outline.buffer(1e-9).contains(street.geometry)
        json.dumps(shapes)  # serialisable for the dashboard

    @pytest.mark.django_db
    def test_directory_coordinates_move_a_cell(self):
        before = geo.street_at(113.36, 23.10)
        Area.objects.create(code="X1", name="琶洲街道", kind=Area.Kind.STREET, lon=113.30, lat=23.10)
        Area.objects.create(code="X2", name="新港街道", kind=Area.Kind.STREET, lon=113.40, lat=23.09)
        assert before == "琶洲街道"
        assert geo.street_at(113.30, 23.10) == "琶洲街道"

    def test_real_street_file_replaces_the_cells(self, settings, tmp_path):
        square = {"type": "Polygon", "coordinates": [[[113.3, 23.0], [113.4, 23.0], [113.4, 23.1],
                                                      [113.3, 23.1], [113.3, 23.0]]]}
        path = tmp_path / "streets.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "测试街道"}, "geometry": square}]}), encoding="utf-8")
        settings.YOUHU = {**settings.YOUHU, "STREETS_GEOJSON": str(path)}
        assert geo.street_at(113.35, 23.05) == "测试街道"
        assert geo.street_at(113.25, 23.05) is None
        assert geo.street_shapes()["properties"]["approximate"] is False

    def test_unusable_street_file_falls_back_to_the_cells(self, settings, tmp_path):
        broken = tmp_path / "broken.geojson"
        broken.write_text("{not json", encoding="utf-8")
        for path in (broken, tmp_path / "missing.geojson"):
            settings.YOUHU = {**settings.YOUHU, "STREETS_GEOJSON": str(path)}
            assert geo.street_shapes()["properties"]["approximate"] is True
            assert len(geo.street_shapes()["features"]) == 18
