"""Roles, the audit trail, problems through the ticket lifecycle, monthly reports and escalation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from youhu.escalation.services import run_pass as escalate_tickets
from youhu.projects import policy, selectors, services
from youhu.projects.escalation import run_pass
from youhu.projects.models import Escalation, ProjectEvent
from youhu.testing.factories import at
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput, NotAllowed
from youhu.tickets.models import Notification, Status, TicketEvent

pytestmark = pytest.mark.django_db


def visible_codes(user) -> set[str]:
    return set(policy.visible_projects(user).values_list("code", flat=True))


def test_each_role_sees_only_its_projects(zone):
    led = zone.project("P-LEAD")  # lead unit: zone.lead, leader a
    zone.node(led, "用地规划许可", date(2026, 6, 30), owner=zone.land)
    zone.project("P-CSO", leader=zone.leader_b, company=zone.company, lead=zone.other)
    zone.project("P-OTHER", leader=zone.leader_b, lead=zone.other)
    assert visible_codes(zone.office) == {"P-LEAD", "P-CSO", "P-OTHER"}
    assert visible_codes(zone.district.supervisor) == {"P-LEAD", "P-CSO", "P-OTHER"}
    assert visible_codes(zone.lead_handler) == {"P-LEAD"}
    assert visible_codes(zone.land_handler) == {"P-LEAD"}  # owns one of its nodes
    assert visible_codes(zone.other_handler) == {"P-CSO", "P-OTHER"}
    assert visible_codes(zone.leader) == {"P-LEAD"}
    assert visible_codes(zone.leader_b) == {"P-CSO", "P-OTHER"}
    assert visible_codes(zone.cso) == {"P-CSO"}  # the company's officer, by the registry
    assert visible_codes(zone.district.handler) == set()


def test_only_the_office_edits_and_only_the_lead_unit_reports(zone):
    project = zone.project()
    node = zone.node(project, "施工许可", date(2026, 3, 31), owner=zone.land)
    data = services.ProjectData(code="P-X", name="x", kind="industry", stage="signed", lead_unit=zone.lead)
    for user in (zone.lead_handler, zone.leader, zone.cso):
        with pytest.raises(NotAllowed):
            services.save_project(data, by=user, now=zone.now)
    with pytest.raises(NotAllowed):
        services.submit_report(project, by=zone.land_handler, month=date(2026, 2, 1), text="进展",
                               investment_completed=Decimal(10), now=zone.now)
    with pytest.raises(NotAllowed):
        services.complete_node(node, by=zone.other_handler, on=date(2026, 3, 3), now=zone.now)
    with pytest.raises(NotAllowed):
        services.complete_node(node, by=zone.leader, on=date(2026, 3, 3), now=zone.now)
    with pytest.raises(InvalidInput) as missing:
        services.complete_node(node, by=zone.land_handler, on=date(2026, 3, 3), now=zone.now)
    assert missing.value.field == "evidence"
    services.complete_node(node, by=zone.land_handler, on=date(2026, 3, 3), now=zone.now,
                           files=[SimpleUploadedFile("批复.pdf", b"%PDF-1.4 test")])
    node.refresh_from_db()
    assert node.actual_end == date(2026, 3, 3) and node.evidence.count() == 1


def test_every_change_is_an_append_only_event(zone):
    project = zone.project()
    node = zone.node(project, "施工许可", date(2026, 3, 31))
    services.save_project(services.ProjectData(code="P-001", name="改名后的项目", kind="industry", stage="started",
                                               lead_unit=zone.lead, leader=zone.leader, street=zone.district.street,
                                               total_investment=Decimal(1000)), by=zone.office, now=zone.now)
    events = list(ProjectEvent.objects.filter(project=project).order_by("id"))
    assert [e.action for e in events] == ["create", "node_create", "update"]
    assert events[2].actor == zone.office and events[2].payload["changes"]["stage"] == ["building", "started"]
    assert events[1].node == node
    # an unchanged save writes nothing
    _, outcome = services.save_node(project, services.NodeData(name="施工许可", planned_end=date(2026, 3, 31),
                                                               owner_unit=zone.land), by=zone.office, now=zone.now)
    assert outcome == "same" and ProjectEvent.objects.filter(project=project).count() == 3
    with pytest.raises(PermissionError):
        events[0].save()
    with pytest.raises(PermissionError):
        ProjectEvent.objects.filter(project=project).update(action="x")
    with pytest.raises(PermissionError):
        ProjectEvent.objects.filter(project=project).delete()
    # and the database itself, whatever code asks
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE projects_projectevent SET action = 'x' WHERE id = %s", [events[0].pk])


def test_a_problem_flows_through_the_ticket_workflow_and_shows_on_the_project(zone):
    project = zone.project()
    problem = services.raise_problem(project, services.ProblemData(
        kind="land", title="地块规划条件调整未批复", content="调整方案已报送两个月仍未批复。", unit=zone.land),
        by=zone.lead_handler, now=zone.now)
    ticket = problem.ticket
    assert ticket.status == Status.DISPATCHED and ticket.main_unit == zone.land and ticket.reply_due > zone.now
    assert Notification.objects.filter(unit=zone.land, ticket=ticket).exists()
    assert "地块规划条件调整未批复" in ticket.title
    later = zone.now + timedelta(days=3)
    [shown] = selectors.open_problems(project, later)
    assert shown["ticket"] == ticket and shown["days_open"] == 3
    # the ordinary escalation ladder reminds the owning unit, unchanged
    escalate_tickets(now=ticket.reply_due - timedelta(minutes=1))
    assert TicketEvent.objects.filter(ticket=ticket, action="remind").exists()
    tickets.accept(ticket, by=zone.land_handler, now=later)
    tickets.reply(ticket, by=zone.land_handler, text="规划条件调整已批复，批复文号海规字〔2026〕12 号。", now=later)
    tickets.review(ticket, by=None, resolved=True, satisfaction="satisfied", now=later)
    assert selectors.open_problems(project, later) == []
    assert ProjectEvent.objects.filter(project=project, action="problem", payload__ticket=ticket.number).exists()


def test_a_stranger_cannot_raise_a_problem_and_bad_input_names_the_field(zone):
    project = zone.project()
    with pytest.raises(NotAllowed):
        services.raise_problem(project, services.ProblemData(kind="land", title="t", content="c", unit=zone.land),
                               by=zone.district.handler, now=zone.now)
    with pytest.raises(InvalidInput) as bad:
        services.raise_problem(project, services.ProblemData(kind="weather", title="t", content="c", unit=zone.land),
                               by=zone.office, now=zone.now)
    assert bad.value.field == "kind"
    with pytest.raises(InvalidInput) as no_unit:
        services.raise_problem(project, services.ProblemData(kind="land", title="t", content="c", unit=None),
                               by=zone.office, now=zone.now)
    assert no_unit.value.field == "unit"


def test_monthly_report_updates_the_year_and_is_audited(zone):
    project = zone.project(year=2026, year_planned=Decimal(500), year_completed=Decimal(0))
    services.submit_report(project, by=zone.lead_handler, month=date(2026, 2, 1), text="主体结构施工至 12 层。",
                           investment_completed=Decimal("120.5"), now=zone.now)
    [row] = selectors.rows(policy.visible_projects(zone.office), zone.now)
    assert row.year_completed == Decimal("120.50") and row.completion_rate == pytest.approx(0.241)
    with pytest.raises(InvalidInput) as future:
        services.submit_report(project, by=zone.lead_handler, month=date(2026, 5, 1), text="x",
                               investment_completed=Decimal(1), now=zone.now)
    assert future.value.field == "month"
    assert ProjectEvent.objects.filter(project=project, action="report", actor=zone.lead_handler).exists()


def test_an_overdue_node_and_a_missing_report_are_escalated_once(zone):
    project = zone.project()  # created 2026-03-04
    node = zone.node(project, "施工许可", date(2026, 3, 20), owner=zone.land)
    assert run_pass(at("2026-03-20 17:00")).nodes == 0
    summary = run_pass(at("2026-03-23 09:00"))
    assert summary.nodes == 1
    escalation = Escalation.objects.get(node=node)
    assert escalation.unit == zone.land and "施工许可" in escalation.message
    # the owning unit, the lead unit and the leader are told
    assert Notification.objects.filter(unit=zone.land, kind="project_escalation").count() == 1
    assert Notification.objects.filter(unit=zone.lead, kind="project_escalation").count() == 1
    assert Notification.objects.filter(user=zone.leader, kind="project_escalation").count() == 1
    assert ProjectEvent.objects.filter(project=project, action="escalate", node=node).count() == 1
    assert run_pass(at("2026-03-24 09:00")).nodes == 0  # once
    # March's report is due by the 5th working day of April (Qingming 4-6 April is a holiday in 2026)
    assert run_pass(at("2026-04-03 10:00")).reports == 0
    assert run_pass(at("2026-04-20 10:00")).reports == 1
    assert Escalation.objects.get(kind="report_missing").month == date(2026, 3, 1)
    assert run_pass(at("2026-04-21 10:00")).reports == 0


def test_a_unit_reports_a_node_started_but_not_in_the_future(zone):
    node = zone.node(zone.project(), "主体开工", date(2026, 9, 30), owner=zone.land, planned_start=date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        services.start_node(node, by=zone.land_handler, on=date(2026, 3, 9), now=zone.now)
    with pytest.raises(NotAllowed):
        services.start_node(node, by=zone.other_handler, on=date(2026, 3, 2), now=zone.now)
    services.start_node(node, by=zone.land_handler, on=date(2026, 3, 2), now=zone.now)
    node.refresh_from_db()
    assert node.actual_start == date(2026, 3, 2)
    assert ProjectEvent.objects.get(node=node, action="node_start").actor == zone.land_handler


def test_the_periodic_task_runs_the_pass(zone, monkeypatch):
    from youhu.projects.tasks import escalate_projects

    zone.node(zone.project(), "施工许可", date(2026, 3, 20))
    monkeypatch.setattr("youhu.clock.now", lambda: at("2026-03-24 09:00"))
    assert escalate_projects.call_local() == "节点超期督办 1 个，月报缺报督办 0 个"
