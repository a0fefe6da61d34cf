"""The pages of session reports and evaluations: the form on the appointment, the report page's buttons by role,
the lists of work, the evaluation form and the averages; bad input is a message, never a 500 or a half-saved row."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.scoping import actor_for
from requests_app.models import MediationRequest
from sessions_app import services as report_services
from sessions_app.models import Evaluation, EvaluationCriterion, SessionReport

from . import factories as f
from .conftest import login_client
from .report_factories import make_world, validated, write

pytestmark = pytest.mark.django_db

NOTE = "Il padre chiede di rivedere la data dell'udienza."


@pytest.fixture
def world():
    return make_world()


def form_data(appointment, **overrides):
    start = timezone.localtime(appointment.starts_at)
    data = {
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": (start + timedelta(minutes=90)).strftime("%H:%M"),
        "outcome": "held",
        "outcome_reason": "",
        "mode": "in_person",
        "adults_present": "2",
        "minors_present": "1",
        "operators_present": "1",
        "language": "ara",
        "language_variant": "Darija",
        "travel_km": "12,5",
        "travel_minutes": "20",
        "expenses": "3,40",
        "expenses_note": "Parcheggio",
        "sensitive_notes": NOTE,
        "action": "submit",
    }
    data.update(overrides)
    return data


def test_the_mediator_finds_the_button_on_the_appointment_and_submits_the_report(world):
    appointment = world.appointments[0]
    client = login_client(world.mediator_user)
    page = client.get(appointment.get_absolute_url()).content.decode()
    url = reverse("sessions:report_write", args=[appointment.pk])
    assert f'href="{url}"' in page and 'data-testid="appointment-report"' in page

    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["language"] == "ara"
    assert form.context["form"].initial["adults_present"] == world.request.adults

    response = client.post(url, form_data(appointment))
    report = SessionReport.objects.get(appointment=appointment)
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.get_absolute_url() == f"/resoconti/{report.pk}/"
    assert (report.status, report.travel_km, report.expenses, report.minutes) == (
        "submitted",
        Decimal("12.5"),
        Decimal("3.40"),
        90,
    )
    assert report.sensitive_notes == NOTE
    # Submitted: the form sends the mediator to the report page.
    assert client.get(url)["Location"] == report.get_absolute_url()


def test_a_draft_is_saved_and_finished_later(world):
    appointment = world.appointments[0]
    client = login_client(world.mediator_user)
    url = reverse("sessions:report_write", args=[appointment.pk])
    client.post(url, form_data(appointment, action="save"))
    assert SessionReport.objects.get().status == "draft"
    assert client.get(url).context["form"].initial["travel_km"] == Decimal("12.5")
    client.post(url, form_data(appointment, minors_present="2"))
    assert SessionReport.objects.values_list("status", "minors_present").get() == ("submitted", 2)


HOSTILE = [
    ({"end": "08:00", "start": "09:00"}, "end"),
    ({"date": "2026-02-31"}, "date"),
    ({"start": "25:99"}, "start"),
    ({"travel_km": "dodici"}, "travel_km"),
    ({"travel_km": "-3"}, "travel_km"),
    ({"expenses": "1e9"}, "expenses"),
    ({"adults_present": "molti"}, "adults_present"),
    ({"outcome": "exploded"}, "outcome"),
    ({"outcome": "partly"}, "outcome_reason"),
    ({"language": "klingon"}, "language"),
    ({"adults_present": "0", "minors_present": "0"}, "adults_present"),
    ({"expenses_note": ""}, "expenses_note"),
    ({"mode": "video"}, None),
    ({"sensitive_notes": "x" * 4001}, "sensitive_notes"),
]


@pytest.mark.parametrize(("data", "field"), HOSTILE, ids=[str(h[0])[:40] for h in HOSTILE])
def test_bad_input_shows_a_message_and_saves_nothing(world, data, field):
    appointment = world.appointments[0]
    response = login_client(world.mediator_user).post(
        reverse("sessions:report_write", args=[appointment.pk]), form_data(appointment, **data)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors
    if field:
        assert field in form.errors, form.errors
    else:
        assert form.non_field_errors()
    assert 'role="alert"' in response.content.decode()
    assert not SessionReport.objects.exists()
    appointment.refresh_from_db()
    assert appointment.status == "planned"


def test_a_coordinator_writes_on_behalf_without_the_notes_field(world):
    write(world, submit=False)
    appointment = world.appointments[0]
    client = login_client(world.coordinator)
    url = reverse("sessions:report_write", args=[appointment.pk])
    page = client.get(url)
    assert "sensitive_notes" not in page.context["form"].fields
    assert escape(NOTE) not in page.content.decode()
    client.post(url, form_data(appointment, sensitive_notes="Sovrascritto"))
    assert SessionReport.objects.get().sensitive_notes == NOTE


def test_an_appointment_still_to_come_says_when_its_report_can_be_written(world):
    start = timezone.now() + timedelta(days=2)
    future = world.request.appointments.create(
        mediator=world.mediator, starts_at=start, ends_at=start + timedelta(hours=1), created_by=world.coordinator
    )
    client = login_client(world.mediator_user)
    response = client.get(reverse("sessions:report_write", args=[future.pk]))
    assert response.status_code == 200 and response.context["refusal"]
    assert 'data-testid="report-form"' not in response.content.decode()
    assert client.post(reverse("sessions:report_write", args=[future.pk]), form_data(future)).status_code == 200
    assert not SessionReport.objects.exists()


def post_action(client, report, action, **data):
    response = client.post(report.get_absolute_url(), {"action": action, **data})
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    client.get(response["Location"])  # shows (and so clears) the messages
    return levels


def test_confirm_validate_and_send_back_from_the_report_page(world):
    report = write(world)
    office, coordinator = login_client(world.social_worker), login_client(world.coordinator)
    office_page = office.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="report-confirm"' in office_page and 'data-testid="report-validate"' not in office_page
    coordinator_page = coordinator.get(report.get_absolute_url()).content.decode()
    assert (
        'data-testid="report-validate"' in coordinator_page and 'data-testid="report-confirm"' not in coordinator_page
    )

    assert post_action(coordinator, report, "send_back", reason="") == ["error"]
    assert post_action(office, report, "validate") == ["error"]
    assert post_action(office, report, "confirm") == ["success"]
    report.refresh_from_db()
    assert (report.status, report.confirmed_by) == ("confirmed", world.social_worker)
    assert post_action(coordinator, report, "send_back", reason="Manca la lingua usata.") == ["success"]
    report.refresh_from_db()
    assert report.status == "sent_back"

    mediator = login_client(world.mediator_user)
    page = mediator.get(report.get_absolute_url()).content.decode()
    assert "Manca la lingua usata." in page and 'data-testid="report-edit"' in page
    assert post_action(mediator, report, "submit") == ["success"]
    assert post_action(coordinator, report, "validate") == ["success", "info"]
    report.refresh_from_db()
    assert report.status == "validated"
    assert MediationRequest.objects.get(pk=world.request.pk).status == "completed"
    assert post_action(coordinator, report, "explode") == ["error"]


def test_the_notes_are_shown_to_the_office_and_the_mediator_only(world):
    report = write(world)
    readers = {
        world.social_worker: True,
        world.mediator_user: True,
        world.coordinator: False,
        f.province_staff(province=world.province): False,
        f.administrator(): False,
    }
    for user, reads in readers.items():
        page = login_client(user).get(report.get_absolute_url())
        assert page.status_code == 200
        assert (escape(NOTE) in page.content.decode()) is reads, user


def test_each_role_finds_its_work_on_the_reports_page(world):
    other = make_world()
    write(other)
    url = reverse("sessions:reports")
    to_write = login_client(world.mediator_user).get(url).context["lists"]["to_write"]
    assert [a.pk for a in to_write] == [world.appointments[0].pk]
    report = write(world)
    mediator_lists = login_client(world.mediator_user).get(url).context["lists"]
    assert (mediator_lists["to_write"], [r.pk for r in mediator_lists["waiting"]]) == ([], [report.pk])
    assert [r.pk for r in login_client(world.social_worker).get(url).context["lists"]["to_confirm"]] == [report.pk]
    assert [r.pk for r in login_client(world.coordinator).get(url).context["lists"]["to_validate"]] == [report.pk]
    staff = login_client(f.province_staff(province=world.province)).get(url)
    assert [r.pk for r in staff.context["lists"]["to_validate"]] == [report.pk]
    assert escape(NOTE) not in staff.content.decode()
    assert login_client(f.funder_viewer()).get(url).status_code == 403


def test_the_office_evaluates_and_the_coordinator_reads_the_averages(world):
    validated(world)
    criteria = list(EvaluationCriterion.objects.filter(province=world.province).order_by("order"))
    url = reverse("sessions:evaluate", args=[world.request.pk])
    office = login_client(world.social_worker)
    assert office.get(url).context["can_evaluate"] is True

    data = {f"score_{c.pk}": str(score) for c, score in zip(criteria, [5, 4, 4, 3, 5], strict=True)}
    bad = office.post(url, {**data, f"score_{criteria[1].pk}": "9"})
    assert bad.status_code == 400 and not Evaluation.objects.exists()
    assert bad.context["rows"][0]["score"] == "5"  # what was typed stays

    assert office.post(url, {**data, "comment": "Utile."})["Location"] == url
    assert MediationRequest.objects.get(pk=world.request.pk).status == "evaluated"
    assert office.get(url).context["rows"][3]["score"] == "3"

    mediator = login_client(world.mediator_user)
    assert mediator.post(url, {f"score_{c.pk}": "4" for c in criteria}).status_code == 302
    assert Evaluation.objects.filter(side="mediator", by=world.mediator_user).exists()
    # The office reads its own evaluation, not the mediator's.
    assert [e.side for e in office.get(url).context["evaluations"]] == ["requester"]
    assert login_client(world.coordinator).post(url, data).status_code == 403

    averages = login_client(world.coordinator).get(reverse("sessions:evaluation_averages"))
    row = next(r for r in averages.context["rows"] if r["mediator"] == world.mediator)
    assert row["office"] == [Decimal("5.00"), Decimal("4.00"), Decimal("4.00"), Decimal("3.00"), Decimal("5.00")]
    assert row["overall"] == Decimal("4.20")
    assert "4,20" in averages.content.decode() or "4.20" in averages.content.decode()
    own = login_client(world.mediator_user).get(reverse("sessions:evaluation_averages"))
    assert [r["mediator"] for r in own.context["rows"]] == [world.mediator]
    assert login_client(world.social_worker).get(reverse("sessions:evaluation_averages")).status_code == 403


def test_the_coordinator_marks_a_request_completed_from_the_report_page():
    world = make_world(sessions=1, expected_sessions=3)
    report = validated(world)
    client = login_client(world.coordinator)
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="request-complete"' in page
    response = client.post(reverse("sessions:request_complete", args=[world.request.pk]))
    assert response["Location"] == world.request.get_absolute_url()
    assert MediationRequest.objects.get(pk=world.request.pk).status == "completed"
    # Again: a message, nothing changes.
    client.post(reverse("sessions:request_complete", args=[world.request.pk]))
    assert MediationRequest.objects.get(pk=world.request.pk).status == "completed"
    login_client(world.social_worker).post(reverse("sessions:request_complete", args=[world.request.pk]))
    assert MediationRequest.objects.get(pk=world.request.pk).status == "completed"


def test_the_admin_lists_reports_evaluations_and_criteria_without_the_notes(world):
    report = validated(world)
    world.request.refresh_from_db()
    criteria = EvaluationCriterion.objects.filter(province=world.province)
    report_services.evaluation_save(
        actor=actor_for(world.social_worker),
        request=world.request,
        side="requester",
        scores={c.pk: (4, "") for c in criteria},
    )
    admin = login_client(f.administrator())
    for url in [
        reverse("admin:sessions_app_sessionreport_changelist"),
        reverse("admin:sessions_app_sessionreport_change", args=[report.pk]),
        reverse("admin:sessions_app_evaluation_changelist"),
        reverse("admin:sessions_app_evaluation_change", args=[Evaluation.objects.get().pk]),
        reverse("admin:sessions_app_evaluationcriterion_changelist"),
    ]:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert escape(NOTE) not in response.content.decode()


def test_the_report_page_names_who_wrote_confirmed_and_validated_it_in_a_fixed_number_of_queries(
    world, django_assert_num_queries
):
    from .test_query_counts import WARM_FRAME

    report = validated(world)
    client = login_client(world.coordinator)
    client.get(report.get_absolute_url())
    # WARM_FRAME + the report with its appointment, request, office, district and mediators; the people of its
    # history in one query (not five joins of the users); the read audit's row.
    with django_assert_num_queries(WARM_FRAME + 3) as captured:
        page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    for person in (world.mediator_user, world.social_worker, world.coordinator):
        assert escape(person.get_full_name()) in html
    people = [q["sql"] for q in captured.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(people) <= 2  # the session's user (the frame) and the report's people


def test_the_mediator_of_a_completed_request_finds_the_evaluation_on_the_report_page_in_a_fixed_number_of_queries(
    world, django_assert_num_queries
):
    """The request's mediator is the session's, read with the report: no second join of the mediators, and no query
    of its own to learn that the mediator may evaluate."""
    from .test_query_counts import WARM_FRAME

    report = validated(world)
    MediationRequest.objects.filter(pk=world.request.pk).update(status="completed")
    client = login_client(world.mediator_user)
    client.get(report.get_absolute_url())
    with django_assert_num_queries(WARM_FRAME + 3) as captured:
        page = client.get(report.get_absolute_url())
    assert 'data-testid="evaluate-link"' in page.content.decode()
    report_query = next(q["sql"] for q in captured.captured_queries if 'FROM "sessions_app_sessionreport"' in q["sql"])
    assert report_query.count('JOIN "mediators_mediator"') == 1


def test_a_report_of_a_session_another_mediator_held_still_knows_the_requests_mediator(world):
    """A substitute held the session: the request's own mediator is read when asked for (one query more), and the
    substitute is not offered the request's evaluation."""
    report = validated(world)
    substitute = f.MediatorFactory(provider=world.request.assigned_mediator.provider, districts=[world.district])
    report.appointment.__class__.objects.filter(pk=report.appointment_id).update(mediator=substitute)
    MediationRequest.objects.filter(pk=world.request.pk).update(status="completed")
    from sessions_app import selectors

    found = selectors.report_detail(user=world.coordinator, pk=report.pk)
    assert found.appointment.mediator == substitute
    assert found.appointment.request.assigned_mediator == world.request.assigned_mediator
