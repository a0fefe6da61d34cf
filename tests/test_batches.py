"""Work in batches: confirm several reports (the office), validate several reports (the district's coordinator),
approve several timesheets (the district's coordinator) from the lists, each item still checked on its own, with a
summary of what was done and what was refused, and why."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.scoping import actor_for
from core.batches import MAX_BATCH, parse_ids
from core.errors import DomainError
from requests_app.models import MediationRequest
from sessions_app import services as report_services
from sessions_app.models import SessionReport
from sessions_app.services import reports as reports_module
from timesheets import services as timesheet_services
from timesheets.models import Timesheet

from . import factories as f
from . import report_factories as rf
from . import timesheet_factories as tf
from .conftest import login_client

pytestmark = pytest.mark.django_db

Status = SessionReport.Status


@pytest.fixture
def english():
    """The services' sentences in English (the pages speak the user's language: Italian unless chosen)."""
    with translation.override("en"):
        yield


def submitted_reports(world: rf.World, count: int) -> list[SessionReport]:
    """``count`` submitted reports of the world's district, each of its own request (so that validating one
    completes that request only)."""
    reports = []
    for n in range(count):
        request = f.MediationRequestFactory(
            office=world.office, requester=world.social_worker, status="scheduled", assigned_mediator=world.mediator
        )
        appointment = rf.past_appointment(request, days_ago=2 + n)
        reports.append(rf.write(world, appointment))
    return reports


def ids(*items) -> list[str]:
    return [str(item.pk) for item in items]


def status_of(report: SessionReport) -> str:
    report.refresh_from_db()
    return report.status


def summary_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


# --- The services: a mix of allowed and refused items -----------------------------------------------------------------


def test_a_coordinator_validates_the_reports_she_may_and_each_refusal_says_why(english):
    world = rf.make_world(sessions=0)
    first, second, draft_owner = submitted_reports(world, 3)
    draft = draft_owner
    # The third report goes back to a draft: the mediator is still writing it.
    SessionReport.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    elsewhere = rf.make_world()  # another province
    foreign = rf.write(elsewhere)

    result = report_services.reports_validate(
        actor=actor_for(world.coordinator), report_ids=[*ids(first, second, draft, foreign), "abc", str(first.pk)]
    )

    assert [report.pk for report in result.done] == [first.pk, second.pk]
    assert [status_of(first), status_of(second)] == [Status.VALIDATED, Status.VALIDATED]
    labels = [refusal.label for refusal in result.refused]
    assert labels == [report_services.report_label(draft), f"no. {foreign.pk}", "“abc”"]
    assert "only a submitted report can be validated" in result.refused[0].reason
    assert [refusal.reason for refusal in result.refused[1:]] == ["not found", "not found"]
    # Neither the draft nor the other province's report moved, and the other province's case code is never named.
    assert status_of(draft) == Status.DRAFT and status_of(foreign) == Status.SUBMITTED
    assert all(foreign.appointment.request.case_code not in refusal.label for refusal in result.refused)


def test_the_office_confirms_its_submitted_reports_and_not_those_of_another_office(english):
    world = rf.make_world(sessions=0)
    mine, already = submitted_reports(world, 2)
    report_services.report_confirm(actor=actor_for(world.social_worker), report=already)
    # Another office of the same district: its reports are not this social worker's to see.
    other_office = f.OfficeFactory(district=world.district)
    other_request = f.MediationRequestFactory(office=other_office, status="scheduled", assigned_mediator=world.mediator)
    other = rf.write(world, rf.past_appointment(other_request, days_ago=9))

    result = report_services.reports_confirm(actor=actor_for(world.social_worker), report_ids=ids(mine, already, other))

    assert result.done == [mine] and status_of(mine) == Status.CONFIRMED
    assert [(r.label, r.reason) for r in result.refused] == [
        (
            report_services.report_label(already),
            "This report is “Confirmed by the office”: only a submitted report can be confirmed.",
        ),
        (f"no. {other.pk}", "not found"),
    ]
    assert status_of(other) == Status.SUBMITTED


def test_a_coordinator_of_another_district_finds_none_of_the_reports(english):
    world = rf.make_world(sessions=0)
    reports = submitted_reports(world, 2)
    outsider = f.coordinator(district=f.DistrictFactory(province=world.province))

    result = report_services.reports_validate(actor=actor_for(outsider), report_ids=ids(*reports))

    assert result.done == []
    assert [r.reason for r in result.refused] == ["not found", "not found"]
    assert {status_of(report) for report in reports} == {Status.SUBMITTED}


def test_one_reports_failure_undoes_none_of_the_others(monkeypatch, english):
    """The second report's validation fails after its row was written (completing its request is refused): that
    report goes back to what it was, the first and the third stay validated."""
    world = rf.make_world(sessions=0)
    first, second, third = submitted_reports(world, 3)
    real = reports_module.apply_transition

    def refuse_the_second(*, actor, request, name, **kwargs):
        if request.pk == second.appointment.request_id:
            raise DomainError("The request cannot be completed now.")
        return real(actor=actor, request=request, name=name, **kwargs)

    monkeypatch.setattr(reports_module, "apply_transition", refuse_the_second)

    result = report_services.reports_validate(actor=actor_for(world.coordinator), report_ids=ids(first, second, third))

    assert [r.pk for r in result.done] == [first.pk, third.pk]
    assert [(r.label, r.reason) for r in result.refused] == [
        (report_services.report_label(second), "The request cannot be completed now.")
    ]
    assert [status_of(first), status_of(second), status_of(third)] == [
        Status.VALIDATED,
        Status.SUBMITTED,
        Status.VALIDATED,
    ]
    statuses = dict(MediationRequest.objects.filter(pk__in=[r.appointment.request_id for r in (first, second, third)])
                    .values_list("pk", "status"))  # fmt: skip
    assert statuses[second.appointment.request_id] == "scheduled"
    assert statuses[first.appointment.request_id] == statuses[third.appointment.request_id] == "completed"


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ([], "Nothing was selected: tick the rows to act on first."),
        ([str(n) for n in range(1, MAX_BATCH + 2)], f"At most {MAX_BATCH} items can be handled at once."),
    ],
)
def test_an_empty_or_too_long_batch_is_refused_as_a_whole(posted, message, english):
    with pytest.raises(DomainError) as refused:
        parse_ids(posted)
    assert refused.value.message == message


def test_the_posted_ids_are_read_in_order_once_and_whatever_else_is_kept_as_typed():
    assert parse_ids(["7", " 3", "7", "-1", "0", "1e3", "٣", "9" * 30, "<b>x</b>"]) == (
        [7, 3],
        ["-1", "0", "1e3", "٣", "9" * 20, "<b>x</b>"],
    )


# --- The pages: a POST and the summary in the page's messages ---------------------------------------------------------


def test_the_summary_says_how_many_were_validated_and_which_were_refused_and_why():
    world = rf.make_world(sessions=0)
    first, second, third, draft = submitted_reports(world, 4)
    SessionReport.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    world.coordinator.language = "en"
    world.coordinator.save(update_fields=["language"])
    with translation.override("en"):
        label = report_services.report_label(draft)

    response = login_client(world.coordinator).post(
        reverse("sessions:reports_validate"), {"report": ids(first, second, third, draft)}
    )

    assert response.status_code == 302 and response["Location"] == reverse("sessions:reports")
    assert summary_of(response) == [
        (
            "warning",
            f"3 reports validated; 1 report refused: {label} — "
            "This report is “Draft”: only a submitted report can be validated.",
        )
    ]


def test_the_summary_is_italian_by_default_and_plural_aware():
    world = rf.make_world(sessions=0)
    (report,) = submitted_reports(world, 1)
    client = login_client(world.social_worker)

    done = client.post(reverse("sessions:reports_confirm"), {"report": ids(report)})
    client.get(reverse("sessions:reports"))  # the list shows the summary (and the next page no longer does)
    again = client.post(reverse("sessions:reports_confirm"), {"report": [*ids(report), "abc"]})

    assert summary_of(done) == [("success", "1 resoconto confermato.")]
    assert summary_of(again) == [
        (
            "error",
            f"Nessun resoconto confermato; 2 resoconti rifiutati: {report_services.report_label(report)} — "
            "Questo resoconto è “Confermato dal servizio”: si può confermare solo un resoconto inviato; "
            "“abc” — non trovato.",
        )
    ]


def test_a_batch_with_nothing_ticked_says_so_and_changes_nothing():
    world = rf.make_world(sessions=0)
    (report,) = submitted_reports(world, 1)
    response = login_client(world.coordinator).post(reverse("sessions:reports_validate"), {"report": []})
    assert summary_of(response) == [("error", "Nessuna riga selezionata: spunta prima le righe su cui agire.")]
    assert status_of(report) == Status.SUBMITTED


def test_a_hostile_id_is_shown_escaped_as_not_found_never_a_500():
    world = rf.make_world(sessions=0)
    client = login_client(world.coordinator)
    response = client.post(
        reverse("sessions:reports_validate"), {"report": ["<script>alert(1)</script>", "99999999999999999999999"]}
    )
    assert response.status_code == 302
    page = client.get(reverse("sessions:reports")).content.decode()
    assert "<script>alert(1)" not in page
    assert "“&lt;script&gt;alert(1)&lt;/sc” — non trovato; “99999999999999999999” — non trovato." in page


# --- The lists: a checkbox on the rows the user may act on ------------------------------------------------------------


def test_the_coordinator_ticks_reports_to_validate_and_province_staff_see_no_checkbox():
    world = rf.make_world(sessions=0)
    submitted_reports(world, 3)
    page = login_client(world.coordinator).get(reverse("sessions:reports")).content.decode()
    assert page.count('data-testid="batch-box"') == 3
    assert page.count('class="batch-col"') == 1 + 3  # the header and the rows to validate: no other list has them
    assert 'form="batch-validate"' in page and 'data-testid="batch-validate"' in page
    assert "js/batch.js" in page

    staff = login_client(f.province_staff(province=world.province)).get(reverse("sessions:reports")).content.decode()
    assert 'data-testid="batch-box"' not in staff and 'data-testid="batch-validate"' not in staff


def test_the_social_worker_ticks_reports_to_confirm():
    world = rf.make_world(sessions=0)
    submitted_reports(world, 2)
    page = login_client(world.social_worker).get(reverse("sessions:reports")).content.decode()
    assert page.count('form="batch-confirm"') == 2
    assert reverse("sessions:reports_confirm") in page


# --- Timesheets -------------------------------------------------------------------------------------------------------


def district_month(count: int) -> tuple[rf.World, list[Timesheet]]:
    """A district where ``count`` mediators each held a session last month and submitted their timesheet."""
    world = tf.month_world(held=1)
    pairs = [(world.mediator_user, world.mediator)]
    for _ in range(count - 1):
        user = f.mediator(provider=world.mediator.provider, districts=[world.district])
        mediator = f.MediatorFactory(provider=world.mediator.provider, districts=[world.district], user=user)
        request = f.MediationRequestFactory(office=world.office, status="scheduled", assigned_mediator=mediator)
        appointment = tf.appointment_on(request, tf.last_month() + timedelta(days=3))
        rf.write(rf.World(world.office, world.district, world.province, world.social_worker, world.coordinator,
                          user, mediator, request), appointment)  # fmt: skip
        pairs.append((user, mediator))
    timesheets = [
        timesheet_services.timesheet_submit(
            actor=actor_for(user), mediator=mediator, district=world.district, month=tf.last_month()
        )
        for user, mediator in pairs
    ]
    return world, timesheets


def test_a_coordinator_approves_several_timesheets_and_reads_what_was_refused():
    world, (first, second, approved) = district_month(3)
    timesheet_services.timesheet_approve(actor=actor_for(world.coordinator), timesheet=approved)
    _elsewhere, (foreign,) = district_month(1)  # another province
    world.coordinator.language = "en"
    world.coordinator.save(update_fields=["language"])

    response = login_client(world.coordinator).post(
        reverse("timesheets:approve_many"),
        {"timesheet": [*ids(first, second, approved, foreign), "x"], "mese": f"{tf.last_month():%Y-%m}"},
    )

    assert response["Location"] == reverse("timesheets:district") + f"?mese={tf.last_month():%Y-%m}"
    statuses = dict(Timesheet.objects.values_list("pk", "status"))
    assert [statuses[t.pk] for t in (first, second, approved, foreign)] == [
        "approved",
        "approved",
        "approved",
        "submitted",
    ]
    with translation.override("en"):
        label = timesheet_services.timesheet_label(approved)
    assert summary_of(response) == [
        (
            "warning",
            f"2 timesheets approved; 3 timesheets refused: {label} — "
            "This timesheet is “Approved”: only a submitted timesheet can be approved; "
            f"no. {foreign.pk} — not found; “x” — not found.",
        )
    ]


def test_the_districts_month_shows_a_checkbox_on_each_timesheet_to_approve_only():
    world, (first, second) = district_month(2)
    timesheet_services.timesheet_approve(actor=actor_for(world.coordinator), timesheet=second)
    url = reverse("timesheets:district") + f"?mese={tf.last_month():%Y-%m}"
    page = login_client(world.coordinator).get(url).content.decode()
    assert page.count('form="batch-approve"') == 1 and f'value="{first.pk}" form="batch-approve"' in page
    staff = login_client(f.province_staff(province=world.province)).get(url).content.decode()
    assert 'form="batch-approve"' not in staff


# --- Query counts of a batch ------------------------------------------------------------------------------------------
# Each item is its own transaction with its own lock, so a batch's queries grow with its items by design (a fixed
# number per item); everything else (the user, the scoped read of all the ids at once) is paid once.

# The frame of a logged-in POST: the user and the memberships (the session comes from the shared cache and is not
# written: nothing in it changed).
POST_FRAME = 2
# Validating one report: its transaction's savepoint, the report locked (with its request and office), its update,
# whether every session of the request is done (what is still planned, unreported or held: one query), completing the
# request (the request locked, its history row, its update, the refresh of the reporting figures in the outbox),
# telling whoever acts next (notifications.services.notify: six queries with the recipients, the rows and the
# outbox), the release.
PER_REPORT = 16
# Approving one timesheet: its savepoint, the timesheet locked (with its mediator, provider and district), the month's
# lines (costed in one query) and its row again (build_sheets checks the month as it is now), the update, the release.
# (The month's translation work is one query more only where a province counts it: none here.)
PER_TIMESHEET = 6


def _post_queries(client, url, data) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).status_code == 302
    return len(queries)


@pytest.mark.parametrize("count", [3, 30])
def test_validating_a_batch_costs_a_fixed_number_of_queries_per_report(count):
    world = rf.make_world(sessions=0)
    reports = submitted_reports(world, count)
    queries = _post_queries(
        login_client(world.coordinator), reverse("sessions:reports_validate"), {"report": ids(*reports)}
    )
    # + the reports of the batch the user may see (one query for all of them), and once whether any other system
    # listens for changes of state (api.webhooks: then kept in the shared cache).
    assert queries == POST_FRAME + 2 + PER_REPORT * count
    assert {status_of(report) for report in reports} == {Status.VALIDATED}


@pytest.mark.parametrize("count", [3, 30])
def test_approving_a_batch_costs_a_fixed_number_of_queries_per_timesheet(count):
    world, timesheets = district_month(count)
    queries = _post_queries(
        login_client(world.coordinator), reverse("timesheets:approve_many"), {"timesheet": ids(*timesheets)}
    )
    # + the timesheets of the batch the user may see (one query for all of them).
    assert queries == POST_FRAME + 1 + PER_TIMESHEET * count
    assert set(Timesheet.objects.values_list("status", flat=True)) == {"approved"}
