"""Monthly timesheets: totals from the session reports, the life (submit, approve, send back) and the lock on the
month's reports, the exports read back, who sees which sheet."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.scoping import actor_for, visible
from core.errors import DomainError, NotAllowed
from sessions_app import services as report_services
from timesheets import months, selectors, services
from timesheets.models import Timesheet

from . import factories as f
from . import report_factories as rf
from . import timesheet_factories as tf
from .conftest import login_client


@pytest.fixture(autouse=True)
def in_english():
    """The refusals below are read in English (the portal's default, Italian, is checked by the page tests)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

# One session as report_factories writes it: 75 minutes at 21.50 (26.88), 12.5 km at 0.35 (4.38), 25 minutes of
# travel at 10 €/h (4.17) and 3.40 € of expenses.
ONE_SESSION = Decimal("38.83")


def sheet_of(world, month=None):
    return selectors.build_sheets(pairs=[(world.mediator, world.district)], month=month or tf.last_month())[0]


def submit(world, month=None):
    return services.timesheet_submit(
        actor=actor_for(world.mediator_user),
        mediator=world.mediator,
        district=world.district,
        month=month or tf.last_month(),
    )


def test_a_sheet_adds_up_the_month_from_the_reports():
    world = tf.month_world(held=2)
    late = tf.appointment_on(world.request, tf.last_month() + timedelta(days=9), minutes=90)
    late.status, late.late_cancellation = "cancelled", True
    late.save()
    tf.appointment_on(world.request, tf.last_month() + timedelta(days=10), status="void")
    sheet = sheet_of(world)
    assert [line.billing for line in sheet.lines] == ["held", "held", "late_cancellation"]
    assert (sheet.sessions, sheet.late_cancellations) == (2, 1)
    assert sheet.hours == Decimal("4.00")  # 75 + 75 + 90 minutes
    assert sheet.km == Decimal("25.0")
    assert sheet.travel_minutes == 50
    assert sheet.expenses == Decimal("6.80")
    assert sheet.cost == 2 * ONE_SESSION + Decimal("32.25")


def test_sessions_of_another_month_or_district_stay_out():
    world = tf.month_world(held=1)
    tf.appointment_on(world.request, months.first_of(timezone.localdate()) + timedelta(days=1))
    other = f.MediationRequestFactory(status="scheduled", assigned_mediator=world.mediator)
    tf.appointment_on(other, tf.last_month() + timedelta(days=5))
    assert len(sheet_of(world).lines) == 1


def test_the_mediator_submits_a_month_that_is_over_and_fully_reported():
    world = tf.month_world(held=2)
    timesheet = submit(world)
    assert timesheet.status == "submitted" and timesheet.submitted_by == world.mediator_user


def test_a_month_with_a_missing_report_cannot_be_submitted():
    world = tf.month_world(held=1)
    tf.appointment_on(world.request, tf.last_month() + timedelta(days=12))
    with pytest.raises(DomainError, match="no report sent yet"):
        submit(world)
    assert not Timesheet.objects.exists()


def test_a_draft_report_counts_as_missing():
    world = tf.month_world(held=0)
    appointment = tf.appointment_on(world.request, tf.last_month() + timedelta(days=3))
    rf.write(world, appointment, submit=False)
    with pytest.raises(DomainError, match="no report sent yet"):
        submit(world)


def test_the_current_month_cannot_be_submitted_yet():
    world = tf.month_world(held=0)
    with pytest.raises(DomainError, match="once the month is over"):
        submit(world, month=timezone.localdate())


def test_without_a_rate_the_month_cannot_be_submitted():
    world = tf.month_world(held=1)
    world.mediator.provider.rates.all().delete()
    assert sheet_of(world).lines[0].cost is None
    with pytest.raises(DomainError, match="No rate"):
        submit(world)


def test_only_the_mediator_submits():
    world = tf.month_world(held=1)
    with pytest.raises(NotAllowed):
        services.timesheet_submit(
            actor=actor_for(world.coordinator), mediator=world.mediator, district=world.district, month=tf.last_month()
        )


def test_the_coordinator_approves_and_the_months_reports_are_locked():
    world = tf.month_world(held=1)
    timesheet = services.timesheet_approve(actor=actor_for(world.coordinator), timesheet=submit(world))
    assert timesheet.status == "approved" and timesheet.approved_by == world.coordinator
    appointment = world.appointments[0]
    assert months.month_locked(world.mediator, timezone.localdate(appointment.starts_at))
    assert months.month_locked(world.mediator, appointment.starts_at.date(), world.district)
    assert not months.month_locked(world.mediator, timezone.localdate())
    assert "approved" in months.why_locked(appointment=appointment)


def test_a_coordinator_of_another_district_cannot_approve():
    world = tf.month_world(held=1)
    with pytest.raises(NotAllowed):
        services.timesheet_approve(actor=actor_for(f.coordinator()), timesheet=submit(world))


def test_approval_is_refused_when_a_report_was_sent_back_meanwhile():
    world = tf.month_world(held=1)
    timesheet = submit(world)
    report_services.report_send_back(
        actor=actor_for(world.coordinator), report=world.appointments[0].report, reason="Orari da correggere."
    )
    with pytest.raises(DomainError, match="Send the timesheet back"):
        services.timesheet_approve(actor=actor_for(world.coordinator), timesheet=timesheet)


def test_sent_back_with_a_reason_then_submitted_again():
    world = tf.month_world(held=1)
    timesheet = submit(world)
    with pytest.raises(DomainError):
        services.timesheet_send_back(actor=actor_for(world.coordinator), timesheet=timesheet, reason="  ")
    timesheet = services.timesheet_send_back(
        actor=actor_for(world.coordinator), timesheet=timesheet, reason="Manca il parcheggio del giorno 3."
    )
    assert timesheet.status == "sent_back" and timesheet.send_back_reason.startswith("Manca")
    assert submit(world).status == "submitted"


def test_an_approved_timesheet_cannot_be_submitted_or_sent_back():
    world = tf.month_world(held=1)
    timesheet = services.timesheet_approve(actor=actor_for(world.coordinator), timesheet=submit(world))
    with pytest.raises(DomainError):
        submit(world)
    with pytest.raises(DomainError):
        services.timesheet_send_back(actor=actor_for(world.coordinator), timesheet=timesheet, reason="Ripensamento")


def test_timesheets_are_seen_by_their_mediator_the_district_and_the_province():
    world = tf.month_world(held=1)
    submit(world)
    assert visible(world.mediator_user, Timesheet).count() == 1
    assert visible(world.coordinator, Timesheet).count() == 1
    assert visible(f.province_staff(province=world.province), Timesheet).count() == 1
    for outsider in (f.coordinator(), f.social_worker(office=world.office), f.province_staff(), f.mediator()):
        assert visible(outsider, Timesheet).count() == 0


def test_outsiders_get_404_on_a_sheet_and_its_export():
    world = tf.month_world(held=1)
    url = reverse("timesheets:sheet", args=[world.mediator.pk, world.district.pk, tf.last_month()])
    export = reverse("timesheets:export", args=[world.mediator.pk, world.district.pk, tf.last_month(), "csv"])
    for outsider in (
        f.coordinator(),
        f.social_worker(office=world.office),
        f.mediator(provider=world.mediator.provider),
    ):
        client = login_client(outsider)
        assert client.get(url).status_code == 404
        assert client.get(export).status_code == 404
    assert login_client(world.mediator_user).get(url).status_code == 200


def test_the_pages_submit_and_approve_through_the_buttons():
    world = tf.month_world(held=1)
    month = f"{tf.last_month():%Y-%m}"
    act = reverse("timesheets:act", args=[world.mediator.pk, world.district.pk, tf.last_month(), "submit"])
    mine = reverse("timesheets:mine") + f"?mese={month}"
    page = login_client(world.mediator_user).get(mine).content.decode()
    assert "Submit the timesheet" in page or "Invia il foglio ore" in page
    response = login_client(world.mediator_user).post(act, {"next": mine})
    assert response.status_code == 302 and response["Location"] == mine
    approve = act.replace("/submit/", "/approve/")
    login_client(world.coordinator).post(approve, {"next": "https://evil.example.org/"})
    assert Timesheet.objects.get().status == "approved"


def test_a_refused_action_is_a_message_and_changes_nothing():
    world = tf.month_world(held=1)
    approve = reverse("timesheets:act", args=[world.mediator.pk, world.district.pk, tf.last_month(), "approve"])
    response = login_client(world.coordinator).post(approve)
    assert response.status_code == 302
    assert not Timesheet.objects.exists()
    unknown = approve.replace("/approve/", "/explode/")
    assert login_client(world.coordinator).post(unknown).status_code == 404


def test_the_xlsx_export_reads_back_with_the_lines_and_the_total_and_no_notes():
    world = tf.month_world(held=2)
    response = login_client(world.coordinator).get(
        reverse("timesheets:export", args=[world.mediator.pk, world.district.pk, tf.last_month(), "xlsx"])
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 2 + 1  # header, two sessions, total
    assert rows[1][6] == world.request.case_code
    assert Decimal(str(rows[1][15])) == ONE_SESSION
    assert Decimal(str(rows[-1][15])) == 2 * ONE_SESSION
    text = " ".join(str(value) for row in rows for value in row if value is not None)
    assert "udienza" not in text  # the report's sensitive notes


def test_the_csv_export_of_the_month_lists_every_mediator_of_the_district():
    world = tf.month_world(held=1)
    response = login_client(world.coordinator).get(
        reverse("timesheets:month_export", args=["csv"]) + f"?mese={tf.last_month():%Y-%m}"
    )
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert world.request.case_code in body and str(ONE_SESSION).replace(".", ",") in body
    assert "udienza" not in body
    assert login_client(world.coordinator).get(reverse("timesheets:month_export", args=["pdf"])).status_code == 404


def test_the_provider_page_adds_up_the_month_by_district():
    world = tf.month_world(held=2)
    services.timesheet_approve(actor=actor_for(world.coordinator), timesheet=submit(world))
    response = login_client(f.province_staff(province=world.province)).get(
        reverse("timesheets:providers") + f"?mese={tf.last_month():%Y-%m}"
    )
    (total,) = response.context["totals"]
    assert total.provider == world.mediator.provider
    assert (total.sessions, total.cost, total.approved_cost) == (2, 2 * ONE_SESSION, 2 * ONE_SESSION)


def test_the_provider_page_owes_what_the_sheets_owe_line_by_line():
    world = tf.month_world(held=2)
    month = tf.last_month()
    tf.appointment_on(world.request, month + timedelta(days=20), status="cancelled", late_cancellation=True)
    tf.appointment_on(world.request, month + timedelta(days=21), status="cancelled", late_cancellation=False)
    coordinator = world.coordinator
    sheet = selectors.sheet_detail(
        user=coordinator, mediator_id=world.mediator.pk, district_id=world.district.pk, month=month
    )
    response = login_client(coordinator).get(reverse("timesheets:providers") + f"?mese={month:%Y-%m}")
    (total,) = response.context["totals"]
    (row,) = total.rows
    assert len(sheet.owed_lines) == 3  # two held sessions and the late cancellation; the one in time owes nothing
    assert (total.sessions, total.approved_cost) == (2, 0)
    assert total.cost == sum(line.cost for line in sheet.owed_lines) > 2 * ONE_SESSION
    assert (row["district"], row["km"]) == (world.district, sum(line.km for line in sheet.owed_lines))


def test_hostile_months_in_the_address_are_harmless():
    world = tf.month_world(held=0)
    client = login_client(world.coordinator)
    for month in ("2026-13", "abc", "-1", "99999-01"):
        assert client.get(reverse("timesheets:district") + f"?mese={month}").status_code == 200
    assert client.get(f"/fogli-ore/{world.mediator.pk}/{world.district.pk}/2026-13/").status_code == 404
    assert client.get(f"/fogli-ore/{2**70}/{world.district.pk}/2026-01/").status_code == 404
    assert client.post(f"/fogli-ore/{world.mediator.pk}/{2**64}/2026-01/approve/").status_code == 404


def test_an_approved_month_refuses_new_reports_and_sending_reports_back():
    world = tf.month_world(held=1)
    late = tf.appointment_on(
        world.request, tf.last_month() + timedelta(days=8), status="cancelled", late_cancellation=True
    )
    services.timesheet_approve(actor=actor_for(world.coordinator), timesheet=submit(world))
    with pytest.raises(DomainError, match="approved"):
        rf.write(world, late, outcome="cancelled_late", outcome_reason="Disdetta la sera prima.")
    with pytest.raises(DomainError, match="approved"):
        report_services.report_send_back(
            actor=actor_for(world.coordinator), report=world.appointments[0].report, reason="Orari da correggere."
        )
    # This month is not locked: its reports are written as usual.
    today = rf.past_appointment(world.request, days_ago=0)
    assert rf.write(world, today).status == "submitted"
