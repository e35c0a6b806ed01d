import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from youhu.enterprise import selectors, services
from youhu.enterprise.importer import ImportFileError, import_companies
from youhu.enterprise.models import Building, Company, Contact, CsoAssignment
from youhu.enterprise.uscc import with_check_character
from youhu.testing.files import with_sheet_bytes_flipped, with_sheet_cut
from youhu.tickets.errors import Conflict, NotAllowed

from .conftest import fictitious_uscc

HEADER = ["企业名称", "统一社会信用代码", "行业", "规模", "街道", "楼宇/园区", "规上", "专精特新",
          "联系人", "联系电话", "职务", "首席服务官"]


def _csv(rows) -> io.BytesIO:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _good_rows():
    return [
        ["琶洲示例云计算有限公司", fictitious_uscc(), "软件和信息技术服务业", "中型", "琶洲", "琶洲数字大厦",
         "是", "否", "李明", "13900000001", "总经理", "cso_a"],
        ["琶洲示例人工智能有限公司", fictitious_uscc(), "人工智能", "小型", "琶洲街道", "琶洲示例园",
         "否", "是", "赵敏", "13900000002", "", ""],
    ]


@pytest.mark.parametrize("make_file, name", [(_csv, "companies.csv"), (_xlsx, "companies.xlsx")])
def test_import_is_idempotent_by_uscc(zone, make_file, name):
    rows = _good_rows()
    first = import_companies(name, make_file(rows), now=zone.now)
    assert (first.created, first.updated, first.errors) == (2, 0, [])
    cloud = Company.objects.get(uscc=rows[0][1])
    assert cloud.street == zone.district.street and cloud.building == zone.tower
    assert cloud.above_scale and not cloud.specialized and cloud.size == Company.Size.MEDIUM
    assert cloud.service_officer == zone.cso_a
    assert Building.objects.get(name="琶洲示例园").kind == Building.Kind.PARK

    rows[0][2] = "云计算"
    again = import_companies(name, make_file(rows), now=zone.now)
    assert (again.created, again.updated, again.errors) == (0, 2, [])
    assert Company.objects.count() == 2 and Contact.objects.count() == 2
    assert CsoAssignment.objects.count() == 1
    assert Company.objects.get(uscc=rows[0][1]).industry == "云计算"


def test_import_reports_each_bad_row_and_keeps_the_good_ones(zone):
    good = _good_rows()[0]
    wrong_check = fictitious_uscc()
    wrong_check = wrong_check[:17] + ("0" if wrong_check[17] != "0" else "1")
    rows = [
        good,
        ["校验位错误公司", wrong_check, "", "", "", "", "", "", "", "", "", ""],
        ["重复公司", good[1], "", "", "", "", "", "", "", "", "", ""],
        ["未知街道公司", fictitious_uscc(), "", "", "火星街道", "", "", "", "", "", "", ""],
        ["未知服务官公司", fictitious_uscc(), "", "", "", "", "", "", "", "", "", "nobody"],
        ["标志错误公司", fictitious_uscc(), "", "", "", "", "也许", "", "", "", "", ""],
        ["电话错误公司", fictitious_uscc(), "", "", "", "", "", "", "张三", "电话号码", "", ""],
        ["", fictitious_uscc(), "", "", "", "", "", "", "", "", "", ""],
    ]
    report = import_companies("c.csv", _csv(rows), now=zone.now)
    assert report.created == 1
    by_row = {e.row: (e.column, e.message) for e in report.errors}
    assert set(by_row) == {3, 4, 5, 6, 7, 8, 9}
    assert by_row[3][0] == "统一社会信用代码" and "校验位" in by_row[3][1]
    assert "第 2 行" in by_row[4][1]
    assert by_row[5] == ("街道", "未知街道：火星街道")
    assert by_row[6][0] == "首席服务官"
    assert by_row[7][0] == "规上"
    assert "电话格式" in by_row[8][1]
    assert by_row[9][0] == "企业名称"
    assert Company.objects.count() == 1 and Contact.objects.count() == 1


def test_unreadable_files_are_refused_as_a_whole(zone):
    with pytest.raises(ImportFileError, match="缺少必需的列：统一社会信用代码"):
        import_companies("c.csv", io.BytesIO("企业名称\n某公司\n".encode()))
    with pytest.raises(ImportFileError, match="XLSX"):
        import_companies("c.xlsx", io.BytesIO(b"not a zip"))
    with pytest.raises(ImportFileError, match=".xlsx 或 .csv"):
        import_companies("c.pdf", io.BytesIO(b"%PDF"))


def test_gbk_csv_is_read(zone):
    text = "企业名称,统一社会信用代码\n琶洲示例物流有限公司,{}\n".format(with_check_character("91440105GBK0TE001"))
    report = import_companies("c.csv", io.BytesIO(text.encode("gbk")))
    assert report.created == 1 and Company.objects.get().name == "琶洲示例物流有限公司"


def test_duplicate_uscc_refused_when_registering_by_hand(zone):
    company = zone.company("琶洲示例一号公司")
    data = services.CompanyData(name="另一家公司", uscc=company.uscc)
    with pytest.raises(Conflict, match="已登记为“琶洲示例一号公司”"):
        services.register_company(data, by=zone.district.admin)


def test_only_managers_change_the_registry(zone):
    with pytest.raises(NotAllowed):
        services.register_company(services.CompanyData(name="x", uscc=fictitious_uscc()), by=zone.cso_a)


def test_contacts_masked_for_those_who_do_not_serve_the_company(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a, phone="13812345678")
    full = {"name": "王经理", "phone": "13812345678", "position": "行政总监"}
    assert selectors.contacts_for(zone.cso_a, company) == [full]
    assert selectors.contacts_for(zone.district.supervisor, company) == [full]
    masked = {"name": "王**", "phone": "138****5678", "position": "行政总监"}
    assert selectors.contacts_for(zone.cso_b, company) == [masked]
    assert selectors.contacts_for(zone.district.dispatcher, company) == [masked]


def test_a_cso_sees_only_their_companies(zone):
    mine = zone.company("甲公司", officer=zone.cso_a)
    zone.company("乙公司", officer=zone.cso_b)
    assert list(selectors.visible_companies(zone.cso_a)) == [mine]
    assert selectors.visible_companies(zone.district.supervisor).count() == 2
    assert not selectors.visible_companies(zone.district.handler).exists()


def test_reimport_with_fewer_columns_keeps_the_other_fields(zone):
    rows = _good_rows()
    import_companies("c.csv", _csv(rows), now=zone.now)
    text = f"企业名称,统一社会信用代码,行业\n新名称云计算有限公司,{rows[0][1]},云服务\n"
    report = import_companies("c.csv", io.BytesIO(text.encode()), now=zone.now)
    assert (report.created, report.updated) == (0, 1)
    company = Company.objects.get(uscc=rows[0][1])
    assert (company.name, company.industry) == ("新名称云计算有限公司", "云服务")
    assert company.building == zone.tower and company.above_scale and company.street == zone.district.street


# ---------------------------------------------------------------- issue 19: broken files store nothing


def _many(n: int) -> list[list[str]]:
    return [[f"琶洲示例第{i}号有限公司", fictitious_uscc(), "", "", "", "", "", "", "", "", "", ""] for i in range(n)]


def test_a_company_sheet_cut_mid_file_stores_nothing(zone):
    data = with_sheet_cut(_xlsx(_many(600)).getvalue(), keep=0.85)
    with pytest.raises(ImportFileError, match=r"第 \d+ 行：工作表在这一行处损坏或被截断") as error:
        import_companies("c.xlsx", io.BytesIO(data), now=zone.now)
    assert 400 < error.value.line < 601  # 480 of 600 companies were stored before the fix
    with pytest.raises(ImportFileError, match="损坏"):
        import_companies("c.xlsx", io.BytesIO(with_sheet_bytes_flipped(_xlsx(_many(600)).getvalue())))
    assert Company.objects.count() == 0


def test_a_company_csv_with_an_unclosed_quote_stores_nothing(zone, tmp_path):
    text = _csv(_many(600)).getvalue().decode("utf-8-sig").splitlines()
    text[481] = text[481].replace("琶洲示例", '"琶洲示例', 1)
    path = tmp_path / "c.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 482 行：引号未闭合"):
        call_command("import-companies", str(path), stdout=io.StringIO())
    assert Company.objects.count() == 0


def test_the_summary_accounts_for_every_line_and_the_page_shows_it(zone, client):
    rows = _many(3)
    rows[1][1] = "不是代码"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([HEADER, rows[0], [""] * 12, rows[1], rows[2]])
    upload = io.BytesIO(out.getvalue().encode())
    upload.name = "c.csv"
    client.force_login(zone.district.admin)
    page = client.post("/enterprise/import/", {"file": upload}).content.decode()
    assert "文件共 5 行：表头 1 行，空行 1 行，数据 3 条（新增 2，更新 0，拒绝 1）" in page
    broken = io.BytesIO(out.getvalue().replace("琶洲示例第2号", '"琶洲示例第2号').encode())
    broken.name = "c.csv"
    resp = client.post("/enterprise/import/", {"file": broken})
    assert resp.status_code == 400 and "第 5 行：引号未闭合" in resp.content.decode()
    assert Company.objects.count() == 2
