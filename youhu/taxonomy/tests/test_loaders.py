from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from youhu.taxonomy.loaders import TAXONOMY_CSV, TaxonomyFileError, load_taxonomy
from youhu.taxonomy.models import Category, published_categories
from youhu.testing.factories import make_unit

GOOD = """level1,level2,level3
城乡建设,城市建设和市政管理,环境卫生
城乡建设,城市建设和市政管理,园林绿化
城乡建设,城乡规划,违章建筑
环境保护,环境污染,噪音污染
环境保护,环境污染,噪音污染
"""


def write(tmp_path: Path, text: str, name: str = "taxonomy.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_load_builds_the_tree_with_paths_and_levels(tmp_path):
    counts = load_taxonomy(write(tmp_path, GOOD))

    assert counts.rows == 4  # the duplicate row counts once
    assert counts.created_by_level == {1: 2, 2: 3, 3: 4}
    leaf = Category.objects.get(path="城乡建设/城市建设和市政管理/环境卫生")
    assert leaf.name == "环境卫生" and leaf.level == 3
    assert leaf.parent.path == "城乡建设/城市建设和市政管理"
    assert leaf.root.name == "城乡建设" and leaf.root.parent is None
    assert Category.objects.filter(level=1, path__in=["城乡建设", "环境保护"]).count() == 2


@pytest.mark.django_db
def test_loading_twice_creates_nothing_and_keeps_admin_edits(tmp_path):
    path = write(tmp_path, GOOD)
    load_taxonomy(path)
    total = Category.objects.count()
    unit = make_unit("区城市管理和综合执法局")
    Category.objects.filter(path="城乡建设").update(default_unit=unit, is_local=True)

    again = load_taxonomy(path)

    assert again.created == 0 and again.existing == 4
    assert Category.objects.count() == total
    root = Category.objects.get(path="城乡建设")
    assert root.default_unit == unit and root.is_local


@pytest.mark.django_db
def test_a_new_row_adds_only_the_missing_levels(tmp_path):
    load_taxonomy(write(tmp_path, GOOD))
    counts = load_taxonomy(write(tmp_path, GOOD + "环境保护,环境污染,水污染\n", "more.csv"))
    assert counts.created == 1 and counts.created_by_level[3] == 1
    assert Category.objects.get(path="环境保护/环境污染/水污染").parent.path == "环境保护/环境污染"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, expected",
    [
        ("level1,level2\n城乡建设,其他\n", "缺少列 level3"),
        ("level1,level2,level3\n城乡建设,,其他\n", "第 2 行：level2 为空"),
        ("level1,level2,level3\n城乡建设,其他,其他\n城乡/建设,其他,其他\n", "第 3 行：level1“城乡/建设”含有“/”"),
    ],
)
def test_a_bad_file_is_refused_whole_with_the_line(tmp_path, text, expected):
    before = Category.objects.count()
    with pytest.raises(TaxonomyFileError) as info:
        load_taxonomy(write(tmp_path, text))
    assert expected in str(info.value)
    assert Category.objects.count() == before  # the good first row was not stored either


@pytest.mark.django_db
def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(TaxonomyFileError, match="找不到文件"):
        load_taxonomy(tmp_path / "nope.csv")


@pytest.mark.django_db
def test_command_loads_and_reports(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    call_command("taxonomy", "load", str(path))
    assert "新建 9 个" in capsys.readouterr().out
    call_command("taxonomy", "load", str(path))
    assert "新建 0 个" in capsys.readouterr().out
    with pytest.raises(CommandError, match="level2 为空"):
        call_command("taxonomy", "load", str(write(tmp_path, "level1,level2,level3\n甲,,丙\n", "bad.csv")))


@pytest.mark.django_db
def test_seeded_sensitive_classes_are_not_published():
    load_taxonomy(TAXONOMY_CSV)
    published = set(published_categories().values_list("path", flat=True))
    assert Category.objects.get(path="纪检监察").published is False
    assert not any(path.startswith(("纪检监察", "政法/警务督察", "卫生计生/医患纠纷")) for path in published)
    assert "城乡建设/城市建设和市政管理/园林绿化环卫" in published
