"""Deadline arithmetic on the Chinese calendar, as seeded from the `holidays` package (workdays 0002).

2026 Spring Festival: Sunday 15 .. Monday 23 February off; Saturday 14 and Saturday 28 February
are 调休 working days. Office hours 09:00-12:00 and 13:30-18:00.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from youhu.testing.factories import at, make_user
from youhu.tickets import services
from youhu.tickets.models import Status
from youhu.workdays import calendar
from youhu.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def test_the_seeded_table_holds_the_2026_schedule():
    assert CalendarYear.objects.filter(year=2026, confirmed=True).exists()
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).kind == CalendarDay.Kind.MAKEUP_WORKDAY
    assert CalendarDay.objects.get(date=date(2026, 2, 17)).source == CalendarDay.Source.PACKAGE


def test_spring_festival_week_2026():
    working = {d for d in days("2026-02-13", "2026-03-01") if calendar.is_working_day(d)}
    assert working == {
        date(2026, 2, 13),  # Friday
        date(2026, 2, 14),  # 调休 Saturday
        *days("2026-02-24", "2026-02-27"),
        date(2026, 2, 28),  # 调休 Saturday
    }
    assert not calendar.is_working_day(date(2026, 2, 16))  # a Monday, 除夕
    assert not calendar.is_working_day(date(2026, 2, 23))  # a Monday, day off in exchange for the 28th


@pytest.mark.parametrize(("start", "n", "due"), [
    ("2026-02-13 10:00", 1, "2026-02-14 18:00"),  # Friday + 1 = the 调休 Saturday
    ("2026-02-13 10:00", 2, "2026-02-24 18:00"),  # then straight over the festival
    ("2026-02-14 10:00", 1, "2026-02-24 18:00"),
    ("2026-02-16 10:00", 1, "2026-02-24 18:00"),  # starting on a holiday
    ("2026-02-12 09:30", 15, "2026-03-11 18:00"),  # a complaint dispatched before the festival
    ("2026-03-06 20:00", 1, "2026-03-09 18:00"),  # Friday evening: Monday
    ("2026-03-02 09:30", 0, "2026-03-02 18:00"),
])
def test_add_working_days(start, n, due):
    result = calendar.add_working_days(at(start), n)
    assert result == calendar.Deadline(at(due), estimated=False)


def test_working_days_between_counts_the_days_after_the_start():
    assert calendar.working_days_between(at("2026-02-13 10:00"), at("2026-02-24 09:00")) == 2
    assert calendar.working_days_between(at("2026-02-13 10:00"), at("2026-02-13 17:00")) == 0
    assert calendar.working_days_between(at("2026-02-24 10:00"), at("2026-02-13 17:00")) == 0
    assert calendar.working_days_between(at("2026-03-02 09:30"), at("2026-03-23 18:00")) == 15


def test_working_day_before_and_add_to_date_over_the_festival():
    assert calendar.working_day_before(date(2026, 2, 24), 1) == date(2026, 2, 14)
    assert calendar.working_day_before(date(2026, 2, 24), 2) == date(2026, 2, 13)
    assert calendar.working_day_before(date(2026, 2, 24), 0) == date(2026, 2, 24)
    assert calendar.add_working_days_to_date(date(2026, 2, 14), 1) == date(2026, 2, 24)


@pytest.mark.parametrize(("start", "minutes", "due"), [
    ("2026-03-02 09:30", 120, "2026-03-02 11:30"),
    ("2026-03-02 11:30", 60, "2026-03-02 14:00"),  # 30 before lunch, 30 after 13:30
    ("2026-03-02 12:30", 30, "2026-03-02 14:00"),  # asked during lunch
    ("2026-03-02 07:00", 30, "2026-03-02 09:30"),  # before the office opens
    ("2026-03-02 17:30", 120, "2026-03-03 10:30"),  # overnight
    ("2026-03-06 17:30", 120, "2026-03-09 10:30"),  # over a weekend
    ("2026-02-13 17:00", 120, "2026-02-14 10:00"),  # into the 调休 Saturday
    ("2026-02-14 17:30", 30, "2026-02-14 18:00"),  # exactly at closing time
    ("2026-02-14 17:30", 31, "2026-02-24 09:01"),  # and one minute more: over the festival
    ("2026-03-02 09:00", 450, "2026-03-02 18:00"),  # one whole office day is 7.5 hours
])
def test_add_office_minutes(start, minutes, due):
    assert calendar.add_office_minutes(at(start), minutes) == calendar.Deadline(at(due), estimated=False)


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        calendar.add_working_days(at("2026-03-02 09:00"), -1)
    with pytest.raises(ValueError):
        calendar.add_office_minutes(at("2026-03-02 09:00"), -5)
    with pytest.raises(ValueError):
        calendar.working_day_before(date(2026, 3, 2), -1)


def test_a_date_in_an_unconfirmed_year_is_estimated_on_weekdays():
    assert not calendar.is_confirmed_year(2027)
    result = calendar.add_working_days(at("2026-12-29 10:00"), 3)
    # 30, 31 December, then Friday 1 January 2027 counted as a weekday: its holiday is not known yet.
    assert result == calendar.Deadline(at("2027-01-01 18:00"), estimated=True)
    assert calendar.add_working_days(at("2026-12-28 10:00"), 3).estimated is False  # stays in 2026
    assert calendar.add_office_minutes(at("2026-12-31 17:30"), 60).estimated is True


def test_ticket_deadlines_are_flagged_when_estimated(district):
    late = district.ticket_in(Status.DISPATCHED, now=at("2026-12-21 10:00"))  # 15 working days: January 2027
    assert late.due_estimated is True
    assert late.reply_due == at("2027-01-11 18:00")
    early = district.ticket_in(Status.DISPATCHED)
    assert early.due_estimated is False


def test_confirming_a_year_removes_the_flag():
    CalendarYear.objects.create(year=2027, confirmed=True, note="国务院办公厅通知")
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    assert calendar.add_working_days(at("2026-12-29 10:00"), 3) == calendar.Deadline(
        at("2027-01-04 18:00"), estimated=False)


@pytest.fixture
def admin_client_logged_in(client, db):
    admin = make_user("calendar-admin", "admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


def test_admin_edit_of_a_calendar_day_takes_effect_at_once(admin_client_logged_in):
    target = date(2026, 3, 4)  # an ordinary Wednesday
    assert calendar.is_working_day(target)  # and the calendar has it cached now
    response = admin_client_logged_in.post("/admin/workdays/calendarday/add/", {
        "date": "2026-03-04", "kind": CalendarDay.Kind.HOLIDAY, "name": "临时停工", "source": "package",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarDay.objects.get(date=target)
    assert day.source == CalendarDay.Source.ADMIN  # whatever the form said
    assert not calendar.is_working_day(target)
    assert calendar.add_working_days(at("2026-03-03 10:00"), 1).at == at("2026-03-05 18:00")

    response = admin_client_logged_in.post(f"/admin/workdays/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert calendar.is_working_day(target)


def test_an_admin_made_working_saturday_counts():
    saturday = date(2026, 3, 7)
    assert not calendar.is_working_day(saturday)
    CalendarDay.objects.create(date=saturday, kind=CalendarDay.Kind.MAKEUP_WORKDAY, name="调休上班")
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(at("2026-03-06 10:00"), 1).at == at("2026-03-07 18:00")


def test_dispatch_uses_the_calendar(district):
    """A complaint dispatched on the eve of the festival is due after it."""
    ticket = district.ticket_in(Status.DISPATCHED, now=at("2026-02-13 17:30"))
    assert ticket.accept_due == at("2026-02-14 10:30")
    assert ticket.reply_due == at("2026-03-12 18:00")  # 14, 24-28 Feb, 2-6 and 9-12 March
    services.accept(ticket, by=district.handler, now=at("2026-02-14 10:00"))
    ticket.refresh_from_db()
    assert ticket.accepted_on_time is True
