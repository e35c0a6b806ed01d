"""Who is told what, written in the transaction of the change that caused it."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from youhu.directory.models import Role
from youhu.escalation.services import run_pass
from youhu.notify import outbox
from youhu.notify.models import Channel, Message, OptIn, Status, Template, UnitChannel
from youhu.testing.factories import at, make_ticket, make_user
from youhu.tickets import services
from youhu.tickets.models import Notification, Ticket
from youhu.tickets.models import Status as TicketStatus

pytestmark = pytest.mark.django_db

PHONE = "+86 138-0013-8000"


def sms_to(phone: str = "13800138000", event: str | None = None):
    rows = Message.objects.filter(channel=Channel.SMS, address=phone)
    return rows.filter(event=event) if event else rows


class TestResident:
    def test_registration_receipt_carries_number_code_and_short_link_only(self, district):
        ticket = make_ticket(appellant_phone=PHONE, appellant_name="张三", now=at("2026-03-02 23:30"))
        [sms] = sms_to(event="resident.registered")
        assert sms.status == Status.PENDING and sms.not_before is None  # no quiet hours for the receipt
        assert ticket.number in sms.body and ticket.tracking_code in sms.body
        assert "/t/" in sms.body and len(sms.body) <= 70
        # never another person's data, nor this one's beyond what the receipt needs
        assert "张三" not in sms.body and ticket.title not in sms.body and "138" not in sms.body
        assert sms.ticket_id == ticket.pk and sms.ticket_number == ticket.number

    def test_nothing_for_a_change_that_rolled_back(self, district):
        with pytest.raises(RuntimeError), transaction.atomic():
            make_ticket(appellant_phone=PHONE)
            assert sms_to().count() == 1
            raise RuntimeError("the caller fails after the ticket")
        assert not Message.objects.exists()

    def test_a_landline_is_recorded_as_failed_and_the_ticket_stands(self, district):
        ticket = make_ticket(appellant_phone="020-8888 6666")
        [sms] = Message.objects.all()
        assert sms.status == Status.FAILED and "not a mainland mobile" in sms.reason and "不是大陆手机号" in sms.reason
        assert ticket.pk and ticket.status == TicketStatus.NEW

    def test_no_phone_no_message(self, district):
        make_ticket()
        assert not Message.objects.exists()

    def test_reply_is_held_through_quiet_hours_and_briefly_for_the_quality_check(self, district):
        ticket = district.ticket_in(TicketStatus.HANDLING, appellant_phone=PHONE)
        services.reply(ticket, by=district.handler, text="已修复路灯，现已恢复照明。", now=at("2026-03-02 23:00"))
        [sms] = sms_to(event="resident.replied")
        assert sms.not_before == at("2026-03-03 08:00")
        services.reopen(ticket, by=district.dispatcher, reason="群众反映仍不亮", now=at("2026-03-03 10:00"))
        [reopened] = sms_to(event="resident.reopened")
        assert reopened.not_before is None and ticket.number in reopened.body
        assert "重新办理" in reopened.body

    def test_a_withheld_reply_is_not_told_until_released(self, district):
        ticket = district.ticket_in(TicketStatus.HANDLING, appellant_phone=PHONE)
        now = at("2026-03-02 10:00")
        services.reply(ticket, by=district.handler, text="已处理。", now=now)
        services.withhold_reply(ticket, by=None, reason="答复过于简单", now=now)
        [held] = sms_to(event="resident.replied")
        assert held.status == Status.CANCELLED and "withheld" in held.reason
        services.release_reply(ticket, by=district.supervisor, now=at("2026-03-02 11:00"))
        assert sms_to(event="resident.replied").filter(status=Status.PENDING).count() == 1

    def test_daily_cap_per_phone(self, district, notify_settings):
        notify_settings(SMS_DAILY_CAP=2)
        for _ in range(3):
            make_ticket(appellant_phone=PHONE, now=at("2026-03-02 10:00"))
        make_ticket(appellant_phone=PHONE, now=at("2026-03-03 10:00"))  # a new day
        statuses = list(sms_to().order_by("pk").values_list("status", flat=True))
        assert statuses == [Status.PENDING, Status.PENDING, Status.SKIPPED, Status.PENDING]
        assert "daily cap" in sms_to().get(status=Status.SKIPPED).reason

    def test_a_batch_tells_every_appellant_with_a_phone_in_one_write(self, district, notify_settings, monkeypatch):
        notify_settings(SMS_DAILY_CAP=2)
        queued: list[list[tuple[int, object]]] = []
        monkeypatch.setattr(outbox, "queue_on_commit", queued.append)
        appeals = [services.NewAppeal(title=f"路灯 {i}", content="路灯不亮", channel="hotline", appellant_phone=phone)
                   for i, phone in enumerate(["13900000001", "", "13900000002", PHONE, PHONE, PHONE])]
        with CaptureQueriesContext(connection) as without:
            services.create_tickets(appeals, now=at("2026-03-02 10:00"), receipts=False)
        with CaptureQueriesContext(connection) as told:
            created = services.create_tickets(appeals, now=at("2026-03-02 10:00"))
        # the whole batch's receipts: one cap count, one insert and one read of the keys, whatever its size
        assert len(told) - len(without) <= 3
        rows = list(Message.objects.filter(event="resident.registered").order_by("pk"))
        assert [(m.ticket_id, m.address) for m in rows] == [
            (c.pk, c.appeal.appellant_phone.replace("+86 ", "").replace("-", "")) for c in created
            if c.appeal.appellant_phone]
        assert all(c.number in m.body and c.tracking_code in m.body
                   for c, m in zip([c for c in created if c.appeal.appellant_phone], rows, strict=True))
        # the same phone thrice in one batch: the cap counts the batch's own rows too
        assert [m.status for m in rows] == [Status.PENDING] * 4 + [Status.SKIPPED]
        assert queued == [[(m.pk, None) for m in rows if m.status == Status.PENDING]]

    def test_a_batch_that_fails_leaves_no_receipt(self, district):
        good = services.NewAppeal(title="路灯", content="路灯不亮", channel="hotline", appellant_phone=PHONE)
        with pytest.raises(RuntimeError), transaction.atomic():
            services.create_tickets([good, good])
            assert sms_to().count() == 2
            raise RuntimeError("the import's block fails after its tickets")
        assert not Message.objects.exists()

    def test_create_tickets_without_receipts(self, district):
        services.create_tickets([services.NewAppeal(title="路灯", content="路灯不亮", channel="hotline",
                                                    appellant_phone=PHONE)], receipts=False)
        assert not Message.objects.exists()

    def test_unknown_placeholder_fails_the_message_not_the_ticket(self, district):
        Template.objects.update_or_create(event="resident.registered", kind="sms",
                                          defaults={"body": "【有呼必应】{number} {appellant_name}"})
        ticket = make_ticket(appellant_phone=PHONE)
        [sms] = Message.objects.all()
        assert ticket.pk and sms.status == Status.FAILED
        assert "{appellant_name}" in sms.reason and "unknown placeholder" in sms.reason

    def test_switched_off(self, district, notify_settings):
        notify_settings(ENABLED=False)
        make_ticket(appellant_phone=PHONE)
        assert not Message.objects.exists()


class TestUnits:
    @pytest.fixture
    def robots(self, district):
        return UnitChannel.objects.create(unit=district.roads, dingtalk_webhook="https://oapi.dingtalk.com/robot/send?access_token=t",
                                          dingtalk_secret="SECx", wecom_webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")

    def test_dispatch_reaches_the_units_robots_and_opted_in_handlers(self, district, robots):
        district.handler.phone, district.handler.email = "13900139000", "roads@example.cn"
        district.handler.save()
        OptIn.objects.create(user=district.handler, channel=Channel.SMS)
        OptIn.objects.create(user=district.handler, channel=Channel.EMAIL, events=["unit.supervise"])
        OptIn.objects.create(user=district.env_handler, channel=Channel.SMS)  # another unit: not told
        ticket = district.ticket_in(TicketStatus.DISPATCHED)
        rows = Message.objects.filter(event="unit.dispatch")
        assert sorted(rows.values_list("channel", flat=True)) == ["dingtalk", "sms", "wecom"]
        robot = rows.get(channel=Channel.DINGTALK)
        assert robot.unit == district.roads and robot.address == ""  # the webhook is read at delivery
        assert f"/tickets/{ticket.number}/" in robot.body and ticket.title in robot.body
        sms = rows.get(channel=Channel.SMS)
        assert sms.address == "13900139000" and "/t/" in sms.body
        # the in-app inbox is written as before
        assert Notification.objects.filter(ticket=ticket, unit=district.roads, kind="dispatch").exists()

    def test_a_unit_narrows_what_reaches_its_robots(self, district, robots):
        robots.events = ["unit.supervise"]
        robots.save()
        district.ticket_in(TicketStatus.DISPATCHED)
        assert not Message.objects.filter(event="unit.dispatch").exists()

    def test_escalation_pass_tells_robots_and_notice_reaches_opted_in_supervisors(self, district, robots):
        district.supervisor.email = "sup@example.cn"
        district.supervisor.save()
        OptIn.objects.create(user=district.supervisor, channel=Channel.EMAIL)
        ticket = district.ticket_in(TicketStatus.DISPATCHED, now=at("2026-03-02 09:30"))
        run_pass(now=at("2026-03-20 10:00"))  # long overdue: 督办
        supervise = Message.objects.filter(event="unit.supervise", ticket_id=ticket.pk)
        assert set(supervise.values_list("channel", flat=True)) == {"dingtalk", "wecom"}
        assert "督办" in supervise.first().body
        run_pass(now=at("2026-04-10 10:00"))  # 书面通报 after five working days
        notice = Message.objects.filter(event="unit.notice", ticket_id=ticket.pk)
        assert notice.filter(channel=Channel.EMAIL, address="sup@example.cn").count() == 1

    def test_a_handler_without_email_is_recorded(self, district, robots):
        OptIn.objects.create(user=district.handler, channel=Channel.EMAIL)
        district.ticket_in(TicketStatus.DISPATCHED)
        row = Message.objects.get(channel=Channel.EMAIL)
        assert row.status == Status.FAILED and "no e-mail" in row.reason

    def test_supervisor_role_alone_is_not_enough(self, district, robots):
        make_user("sup2", Role.SUPERVISOR, unit=district.centre)
        district.ticket_in(TicketStatus.DISPATCHED)
        assert not Message.objects.filter(channel=Channel.EMAIL).exists()


def test_quiet_hours_edges(settings):
    assert outbox.after_quiet_hours(at("2026-03-02 21:59")) == at("2026-03-02 21:59")
    assert outbox.after_quiet_hours(at("2026-03-02 22:00")) == at("2026-03-03 08:00")
    assert outbox.after_quiet_hours(at("2026-03-03 07:59")) == at("2026-03-03 08:00")
    assert outbox.after_quiet_hours(at("2026-03-03 08:00")) == at("2026-03-03 08:00")


def test_a_service_officer_who_opted_in_hears_of_their_companys_demand(district):
    from youhu.enterprise import services as enterprise
    from youhu.enterprise.tests.conftest import Zone

    zone = Zone(district)
    company = zone.company("广州琶洲云科技有限公司", officer=zone.cso_a)
    zone.cso_a.phone = "13600136000"
    zone.cso_a.save()
    OptIn.objects.create(user=zone.cso_a, channel=Channel.SMS)
    demand = enterprise.raise_demand(company, zone.issue(), by=zone.cso_b, source="visit", now=zone.now)
    [sms] = Message.objects.filter(event="officer.demand")
    assert sms.address == "13600136000" and demand.ticket.number in sms.body
    assert f"/enterprise/demands/{demand.ticket.number}/" in sms.body
    # the company contact, as the appellant, gets the registration receipt
    assert Message.objects.filter(event="resident.registered", address="13800138000").count() == 1


class TestImport:
    """The hotline import goes through create_tickets: its appellants get the receipt unless the import says not."""

    ROWS = "id,text,联系电话\nA1,新港东路路灯不亮,13900000001\nA2,楼下噪音扰民,\nA3,井盖缺失,020-8888 6666\n"

    def test_each_imported_appellant_with_a_phone_gets_the_receipt(self, district):
        from youhu.intake.importing import ImportOptions, import_appeals

        result = import_appeals(self.ROWS.encode(), name="export.csv", options=ImportOptions(triage="skip"))
        assert result.created == 3
        rows = {m.ticket_number: m for m in Message.objects.filter(event="resident.registered")}
        by_external = dict(Ticket.objects.values_list("external_id", "number"))
        assert set(rows) == {by_external["export:A1"], by_external["export:A3"]}
        assert rows[by_external["export:A1"]].status == Status.PENDING
        assert rows[by_external["export:A3"]].status == Status.FAILED  # a landline: recorded, the row imported

    def test_an_import_of_old_appeals_can_send_none(self, district):
        from youhu.intake.importing import ImportOptions, import_appeals

        result = import_appeals(self.ROWS.encode(), name="export.csv",
                                options=ImportOptions(triage="skip", receipts=False))
        assert result.created == 3 and not Message.objects.exists()
