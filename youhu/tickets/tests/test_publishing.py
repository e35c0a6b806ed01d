"""What may be published: the masking every public text goes through, and which appeals are published."""

import pytest

from youhu.taxonomy.models import AppealType
from youhu.testing.factories import make_category, make_ticket
from youhu.tickets.masking import mask_personal
from youhu.tickets.models import Channel
from youhu.tickets.publishing import published_text, published_tickets


@pytest.mark.parametrize("text, gone, kept", [
    ("李四先生您好，联系电话13922220000。", ["李四", "13922220000"], ["先生您好"]),
    ("请拨 139-2222-0000、+86 139 2222 0000 或 020-83456789、(020)8345 6789", ["2222", "8345"], ["请拨"]),
    ("身份证号44010619900101123X，旧证440106900101123", ["44010619900101123X", "440106900101123"], ["身份证号"]),
    ("我叫张三丰，本人姓王，联系人：赵小六", ["张三丰", "赵小六", "姓王"], ["我叫", "联系人"]),
    ("感谢黄李四先生和欧阳娜娜女士，谢小明同志", ["黄李四", "欧阳娜娜", "谢小明"], ["感谢", "女士", "同志"]),
    ("住江南大道中 123 号 3 栋 502 室，车牌粤A12345，邮箱 li.si@qq.com", ["123", "502", "粤A12345", "qq.com"],
     ["江南大道中"]),
    ("电话83456789，卡号 6222 0000 1111 2222 333", ["83456789", "6222"], ["电话", "卡号"]),
])
def test_mask_personal_removes_what_points_at_a_person(text, gone, kept):
    masked = mask_personal(text)
    for word in gone:
        assert word not in masked, masked
    for word in kept:
        assert word in masked, masked
    assert mask_personal(masked) == masked  # idempotent


def test_mask_personal_keeps_plain_figures_and_known_values_go():
    text = "12345热线于2026年3月5日受理，15个工作日内办结，满意率95.5%，地铁3号线"
    assert mask_personal(text) == text
    masked = mask_personal("陈伟反映新港东路88号的问题，电话8345-6789", names=["陈伟", "x"], places=["新港东路88号"],
                           phones=["8345-6789"])
    assert masked == "某某反映[地址]的问题，电话[电话]"


@pytest.mark.django_db
def test_published_tickets_leave_out_unpublished_categories_reports_and_companies(district):
    shown = make_ticket(category=district.category)
    secret_root = make_category("纪检监察/贪污贿赂/收受礼金")
    secret_root.parent.parent.published = False
    secret_root.parent.parent.save()
    under_unpublished = make_ticket(category=secret_root)
    report = make_ticket(category=district.category, appeal_type=AppealType.REPORT)
    company = make_ticket(category=district.category, channel=Channel.ENTERPRISE)
    unclassified = make_ticket()
    published = set(published_tickets().values_list("pk", flat=True))
    assert shown.pk in published
    assert not {under_unpublished.pk, report.pk, company.pk, unclassified.pk} & published


@pytest.mark.django_db
def test_published_text_removes_the_appellants_own_data(district):
    ticket = make_ticket(appellant_name="王小五", appellant_phone="137-0013-7000", address="新港东路88号")
    text = "王小五反映：新港东路88号，电话13700137000，137-0013-7000"
    masked = published_text(text, ticket)
    assert "王小五" not in masked and "新港东路88号" not in masked and "0013" not in masked and "7000" not in masked
