"""The public seminar: registration with double opt-in, the waiting list moving up, the anti-automation checks, the
reminder, retention, check-in, and the accountability figures."""

from __future__ import annotations

import datetime as dt
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from core.errors import DomainError
from seminar import guard, links, selectors, services
from seminar.models import Registration, Seminar

from . import factories as f
from .conftest import login_client
from .seminar_factories import RegistrationFactory, SeminarFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


def committed():
    """The e-mails are sent once the service's transaction commits (core.outbox): run those callbacks on leaving."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def _register(seminar, email="anna@example.org", name="Anna Bianchi", role="teacher"):
    with committed():
        return services.registration_create(
            seminar=seminar, name=name, email=email, organisation="Scuola Vida", role=role, role_other=""
        )


def _confirm(registration):
    with committed():
        return services.registration_confirm(token=links.token(registration, "confirm"))


def _cancel(registration):
    with committed():
        return services.registration_cancel(token=links.token(registration, "cancel"))


def _form(seminar, *, seconds_ago=10, **extra):
    with time_machine.travel(timezone.now() - timedelta(seconds=seconds_ago), tick=False):
        stamp = guard.form_stamp()
    return {
        "name": "Anna Bianchi",
        "email": "anna@example.org",
        "organisation": "Scuola Vida",
        "role": "teacher",
        "consent": "on",
        "started": stamp,
        "website": "",
        **extra,
    }


# --- Double opt-in ----------------------------------------------------------------------------------------------------


def test_a_registration_counts_only_once_confirmed_from_the_e_mail():
    seminar = SeminarFactory(capacity=2)
    registration = _register(seminar)
    assert registration.status == Registration.Status.UNCONFIRMED
    assert selectors.places(seminar)["confirmed"] == 0
    assert len(mail.outbox) == 1 and links.url(registration, "confirm").rsplit("/", 2)[0] in mail.outbox[0].body
    _confirm(registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert selectors.places(seminar) == {"confirmed": 1, "waiting": 0, "present": 0, "free": 1}
    assert "text/calendar" in [a[2] for a in mail.outbox[-1].attachments]


def test_confirming_twice_takes_one_place():
    seminar = SeminarFactory(capacity=2)
    registration = _register(seminar)
    _confirm(registration)
    _confirm(registration)
    assert selectors.places(seminar)["confirmed"] == 1


def test_an_expired_confirmation_link_is_refused_and_takes_no_place(settings):
    settings.SEMINAR_CONFIRM_HOURS = 48
    with time_machine.travel(NOW, tick=False):
        seminar = SeminarFactory(capacity=2)
        registration = _register(seminar)
        token = links.token(registration, "confirm")
    with time_machine.travel(NOW + timedelta(hours=49), tick=False), pytest.raises(DomainError, match="scaduto"):
        services.registration_confirm(token=token)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.UNCONFIRMED


def test_an_altered_link_or_a_cancel_link_used_to_confirm_is_refused():
    registration = _register(SeminarFactory())
    with pytest.raises(DomainError):
        services.registration_confirm(token=links.token(registration, "confirm") + "x")
    with pytest.raises(DomainError):
        services.registration_confirm(token=links.token(registration, "cancel"))


def test_the_confirm_page_confirms_only_when_its_button_is_pressed():
    registration = _register(SeminarFactory())
    url = reverse("seminar_public:confirm", args=[links.token(registration, "confirm")])
    client = Client()
    assert client.get(url).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.UNCONFIRMED  # a mail scanner following the link
    response = client.post(url)
    assert response.status_code == 200 and "Il tuo posto è confermato" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


# --- Waiting list -----------------------------------------------------------------------------------------------------


def test_beyond_the_places_a_confirmed_person_waits_and_moves_up_when_someone_cancels():
    seminar = SeminarFactory(capacity=1)
    first, second, third = (_register(seminar, email=f"p{i}@example.org", name=f"P{i}") for i in range(3))
    for registration in (first, second, third):
        _confirm(registration)
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {"p0@example.org": "confirmed", "p1@example.org": "waiting", "p2@example.org": "waiting"}
    mail.outbox.clear()
    _cancel(first)
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {"p0@example.org": "cancelled", "p1@example.org": "confirmed", "p2@example.org": "waiting"}
    moved = [m for m in mail.outbox if m.to == ["p1@example.org"]]
    assert len(moved) == 1 and "posto" in moved[0].subject.lower()
    assert "text/calendar" in [a[2] for a in moved[0].attachments]


def test_cancelling_from_the_waiting_list_moves_nobody_up():
    seminar = SeminarFactory(capacity=1)
    first, second = (_register(seminar, email=f"p{i}@example.org") for i in range(2))
    _confirm(first)
    _confirm(second)
    _cancel(second)
    assert dict(Registration.objects.values_list("email", "status")) == {
        "p0@example.org": "confirmed",
        "p1@example.org": "cancelled",
    }


def test_more_places_move_the_waiting_list_up_and_fewer_than_the_confirmed_are_refused():
    seminar = SeminarFactory(capacity=1)
    staff = f.province_staff(province=seminar.province)
    for i in range(3):
        _confirm(_register(seminar, email=f"p{i}@example.org"))
    fields = {name: getattr(seminar, name) for name in services.SEMINAR_FIELDS}
    services.seminar_save(
        actor=actor_for(staff), province=seminar.province, seminar=seminar, fields={**fields, "capacity": 2}
    )
    assert selectors.places(seminar) == {"confirmed": 2, "waiting": 1, "present": 0, "free": 0}
    with pytest.raises(DomainError, match="2"):
        services.seminar_save(
            actor=actor_for(staff), province=seminar.province, seminar=seminar, fields={**fields, "capacity": 1}
        )


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks: run on PostgreSQL")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_twelve_people_confirming_at_once_for_the_last_three_places_exactly_three_get_one():
    seminar = SeminarFactory(capacity=5)
    RegistrationFactory.create_batch(2, seminar=seminar)
    people = [_register(seminar, email=f"c{i}@example.org") for i in range(12)]
    tokens = [links.token(p, "confirm") for p in people]
    barrier = threading.Barrier(len(people))
    errors = []

    def confirm(i):
        try:
            barrier.wait()
            services.registration_confirm(token=tokens[i])
        except Exception as exc:  # noqa: BLE001  collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert seminar.registrations.filter(status="confirmed").count() == 5
    assert seminar.registrations.filter(status="waiting").count() == 9


# --- Anti-automation --------------------------------------------------------------------------------------------------


def test_the_public_form_registers_and_says_to_check_the_e_mail():
    seminar = SeminarFactory()
    response = Client().post(reverse("seminar_public:event", args=[seminar.slug]), _form(seminar))
    assert response.status_code == 200
    assert "Controlla la tua posta" in response.content.decode()
    assert seminar.registrations.get().status == "unconfirmed"
    assert "csrftoken" not in response.cookies and "sessionid" not in response.cookies


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"website": "http://spam.example"}, "campo nascosto"),
        ({"seconds_ago": 1}, "troppo in fretta"),
        ({"seconds_ago": 7 * 3600}, "aperta troppo a lungo"),
        ({"started": "forged"}, "aperta troppo a lungo"),
        ({"consent": ""}, "informativa"),
    ],
    ids=["honeypot", "too fast", "stale page", "forged stamp", "no consent"],
)
def test_an_automated_or_incomplete_sign_up_is_refused_with_a_message_and_saves_nothing(change, message):
    seminar = SeminarFactory()
    seconds = change.pop("seconds_ago", 10)
    data = _form(seminar, seconds_ago=seconds, **change)
    response = Client().post(reverse("seminar_public:event", args=[seminar.slug]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Registration.objects.exists() and mail.outbox == []


def test_too_many_sign_ups_from_one_address_are_refused_with_a_message(settings):
    settings.SEMINAR_RATE = 3
    seminar = SeminarFactory()
    client = Client(REMOTE_ADDR="203.0.113.7")
    url = reverse("seminar_public:event", args=[seminar.slug])
    for i in range(3):
        assert client.post(url, _form(seminar, email=f"p{i}@example.org")).status_code == 200
    response = client.post(url, _form(seminar, email="p9@example.org"))
    assert response.status_code == 429
    assert "Troppe iscrizioni" in response.content.decode()
    assert Registration.objects.count() == 3
    # Another address is not held back.
    assert Client(REMOTE_ADDR="203.0.113.8").post(url, _form(seminar, email="x@example.org")).status_code == 200


# --- Reminder, retention ----------------------------------------------------------------------------------------------


def test_the_reminder_goes_the_day_before_once_per_confirmed_person_with_the_calendar_file():
    with time_machine.travel(NOW, tick=False):
        tomorrow = SeminarFactory(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=3))
        later = SeminarFactory(starts_at=NOW + timedelta(days=5), ends_at=NOW + timedelta(days=5, hours=3))
        RegistrationFactory(seminar=tomorrow, email="yes@example.org")
        RegistrationFactory(seminar=tomorrow, email="waits@example.org", status="waiting")
        RegistrationFactory(seminar=later, email="later@example.org")
        mail.outbox.clear()
        with committed():
            assert services.reminders_send() == 1
        with committed():
            assert services.reminders_send() == 0
    assert [m.to for m in mail.outbox] == [["yes@example.org"]]
    (ics,) = [a for a in mail.outbox[0].attachments if a[2] == "text/calendar"]
    content = ics[1].decode() if isinstance(ics[1], bytes) else ics[1]
    assert "BEGIN:VEVENT" in content and "SUMMARY:La condizione delle famiglie immigrate" in content


def test_registrations_are_anonymised_the_set_number_of_months_after_the_event(settings):
    settings.SEMINAR_RETENTION_MONTHS = 6
    event = NOW - timedelta(days=10)
    seminar = SeminarFactory(starts_at=event, ends_at=event + timedelta(hours=3))
    came = RegistrationFactory(seminar=seminar, checked_in_at=event, role="teacher")
    RegistrationFactory(seminar=seminar, status="cancelled")
    with time_machine.travel(NOW, tick=False):
        assert services.registrations_anonymise()["anonymised"] == 0
    came.refresh_from_db()
    assert came.email
    with time_machine.travel(event + timedelta(days=6 * 31 + 1), tick=False):
        result = services.registrations_anonymise()
        assert result == {"anonymised": 1, "deleted": 1}
        assert services.registrations_anonymise() == {"anonymised": 0, "deleted": 0}
    came.refresh_from_db()
    assert (came.name, came.email, came.organisation, came.role, came.checked_in_at) == ("", "", "", "teacher", event)


def test_an_unconfirmed_registration_is_deleted_once_its_link_expired(settings):
    settings.SEMINAR_CONFIRM_HOURS = 48
    with time_machine.travel(NOW, tick=False):
        _register(SeminarFactory(starts_at=NOW + timedelta(days=60), ends_at=NOW + timedelta(days=60, hours=2)))
    with time_machine.travel(NOW + timedelta(hours=47), tick=False):
        services.registrations_anonymise()
    assert Registration.objects.count() == 1
    with time_machine.travel(NOW + timedelta(hours=49), tick=False):
        services.registrations_anonymise()
    assert not Registration.objects.exists()


# --- Check-in ---------------------------------------------------------------------------------------------------------


def test_staff_search_the_check_in_list_and_tick_who_arrived():
    seminar = SeminarFactory()
    staff = f.province_staff(province=seminar.province)
    anna = RegistrationFactory(seminar=seminar, name="Anna Bianchi", organisation="Scuola Vida", role="teacher")
    RegistrationFactory(seminar=seminar, name="Luca Verdi", organisation="ASST Cremona", role="health")
    client = login_client(staff)
    url = reverse("seminar:check_in_list", args=[seminar.pk])
    page = client.get(url, {"q": "vida"}).content.decode()
    assert "Anna Bianchi" in page and "Luca Verdi" not in page
    response = client.post(
        reverse("seminar:check_in", args=[seminar.pk, anna.pk]), {"present": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "1 arrivati su 2 confermati" in response.content.decode()
    assert selectors.participants_by(seminar=seminar) == {
        "by_role": [("Insegnante o educatore", 1)],
        "by_organisation": [("Scuola Vida", 1)],
    }


def test_a_person_on_the_waiting_list_cannot_be_checked_in():
    seminar = SeminarFactory()
    staff = f.province_staff(province=seminar.province)
    waiting = RegistrationFactory(seminar=seminar, status="waiting")
    with pytest.raises(DomainError):
        services.check_in(actor=actor_for(staff), registration=waiting, present=True)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_staff_lists_run_the_same_queries_for_3_and_30_registrations(rows, django_assert_num_queries):
    seminar = SeminarFactory(capacity=100)
    staff = f.province_staff(province=seminar.province)
    RegistrationFactory.create_batch(rows, seminar=seminar)
    RegistrationFactory.create_batch(rows, seminar=seminar, status="waiting")
    client = login_client(staff)
    client.get(reverse("seminar:list"))  # the roles cached
    with django_assert_num_queries(QUERIES["detail"]):
        assert client.get(reverse("seminar:detail", args=[seminar.pk])).status_code == 200
    with django_assert_num_queries(QUERIES["check_in"]):
        assert client.get(reverse("seminar:check_in_list", args=[seminar.pk])).status_code == 200


# The session, the user, the seminar; the places counted; then each list (detail: confirmed, waiting, unconfirmed;
# check-in: the rows, the counts by role and by organisation), whatever their length.
QUERIES = {"detail": 6, "check_in": 6}


# --- Accountability ---------------------------------------------------------------------------------------------------


def test_the_figures_count_confirmed_places_and_arrivals_by_role_within_the_period():
    province = f.ProvinceFactory()
    held = SeminarFactory(province=province, starts_at=NOW, ends_at=NOW + timedelta(hours=3))
    RegistrationFactory.create_batch(3, seminar=held, role="teacher", checked_in_at=NOW)
    RegistrationFactory(seminar=held, role="teacher")
    RegistrationFactory(seminar=held, role="health", checked_in_at=NOW)
    RegistrationFactory(seminar=held, role="health", status="waiting")
    RegistrationFactory(seminar=held, role="health", status="cancelled")
    outside = SeminarFactory(province=province, starts_at=NOW + timedelta(days=400), ends_at=NOW + timedelta(days=400))
    RegistrationFactory(seminar=outside)
    RegistrationFactory(seminar=SeminarFactory(starts_at=NOW, ends_at=NOW + timedelta(hours=1)))  # another province
    figures = selectors.figures(province, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert figures["seminars"] == 1
    assert (figures["registrations"], figures["attendance"]) == (5, 4)
    assert [(r["role"], r["registrations"], r["attendance"]) for r in figures["by_role"]] == [
        ("teacher", 4, 3),
        ("health", 1, 1),
    ]


def test_a_seminar_of_another_province_is_not_found_for_its_staff():
    seminar = SeminarFactory()
    other = f.province_staff()
    assert login_client(other).get(reverse("seminar:detail", args=[seminar.pk])).status_code == 404
    assert isinstance(seminar, Seminar)


def test_the_report_table_shows_small_counts_to_the_funder_as_less_than_3_totals_too():
    from reporting import presenters
    from reporting.indicators import SUPPRESSED

    province = f.ProvinceFactory()
    held = SeminarFactory(province=province, starts_at=NOW, ends_at=NOW + timedelta(hours=3))
    RegistrationFactory.create_batch(4, seminar=held, role="teacher", checked_in_at=NOW)
    RegistrationFactory.create_batch(3, seminar=held, role="citizen", checked_in_at=NOW)
    RegistrationFactory(seminar=held, role="health")
    figures = selectors.figures(province, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    (province_table,) = presenters.seminar_tables(figures, suppress=False)
    assert province_table["rows"] == [
        ["Insegnante o educatore", 4, 4],
        ["Operatore sanitario", 1, 0],
        ["Cittadino", 3, 3],
        ["Totale", 8, 7],
    ]
    (funder_table,) = presenters.seminar_tables(figures, suppress=True)
    rows = funder_table["rows"]
    assert rows[1] == ["Operatore sanitario", SUPPRESSED, 0]
    assert rows[-1] == ["Totale", 8, 7]
    # One "< 3" alone in a column would be the total less the others: another count of the column is withheld too.
    assert rows[0][1] == rows[2][1] == presenters.WITHHELD
    small = selectors.figures(province, dt.date(2027, 1, 1), dt.date(2027, 1, 1)) | {
        "registrations": 2,
        "attendance": 1,
        "by_role": [{"role": "teacher", "label": "Insegnante", "registrations": 2, "attendance": 1}],
    }
    (small_table,) = presenters.seminar_tables(small, suppress=True)
    assert small_table["rows"] == [["Insegnante", SUPPRESSED, SUPPRESSED], ["Totale", SUPPRESSED, SUPPRESSED]]


# --- Management pages -------------------------------------------------------------------------------------------------


def _event_form(**changes):
    return {
        "title": "La condizione delle famiglie immigrate",
        "slug": "famiglie-2027",
        "starts_at": "2027-05-20T09:00",
        "ends_at": "2027-05-20T13:00",
        "place": "Sala Maffei",
        "address": "Piazza Stradivari 5, Cremona",
        "capacity": "80",
        "programme": "9:30 Accoglienza",
        "speakers": "",
        "accessibility": "Sala accessibile.",
        "registration_open": "on",
        **changes,
    }


def test_province_staff_create_their_provinces_seminar_and_a_wrong_date_is_a_message():
    staff = f.province_staff()
    client = login_client(staff)
    refused = client.post(reverse("seminar:create"), _event_form(ends_at="2027-05-20T08:00"))
    assert refused.status_code == 200 and "deve finire dopo" in refused.content.decode()
    assert not Seminar.objects.exists()
    response = client.post(reverse("seminar:create"), _event_form())
    seminar = Seminar.objects.get()
    assert response.status_code == 302 and response["Location"] == seminar.get_absolute_url()
    assert seminar.province == staff.memberships.get().province and seminar.capacity == 80
    edited = client.post(reverse("seminar:edit", args=[seminar.pk]), _event_form(capacity="0"))
    assert edited.status_code == 200 and "Tra 1 e 5.000 posti" in edited.content.decode()
    reserved = client.post(reverse("seminar:edit", args=[seminar.pk]), _event_form(slug="gestione"))
    assert reserved.status_code == 200 and "scegline un altro" in reserved.content.decode()
    seminar.refresh_from_db()
    assert (seminar.slug, seminar.capacity) == ("famiglie-2027", 80)


def test_a_past_seminars_page_shows_no_form_and_a_late_registration_is_refused():
    seminar = SeminarFactory(starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() - timedelta(hours=20))
    page = Client().get(seminar.get_public_url()).content.decode()
    assert 'data-testid="registration-form"' not in page and "sono chiuse" in page
    response = Client().post(seminar.get_public_url(), _form(seminar))
    assert response.status_code == 400 and "sono chiuse" in response.content.decode()
    assert not Registration.objects.exists()


def test_the_reminders_and_the_retention_run_on_celery_beat_and_only_call_their_services(settings):
    from core.outbox import task_named

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"seminar.tasks.send_reminders_task", "seminar.tasks.anonymise_registrations_task"} <= scheduled
    assert task_named("seminar.tasks.send_reminders_task").apply().get() == 0
    assert task_named("seminar.tasks.anonymise_registrations_task").apply().get() == {"anonymised": 0, "deleted": 0}


def test_the_confirmation_e_mail_holds_a_cancel_link_that_works():
    seminar = SeminarFactory(capacity=1)
    first, second = (_register(seminar, email=f"p{i}@example.org") for i in range(2))
    _confirm(first)
    _confirm(second)
    confirmed = next(m for m in mail.outbox if m.to == ["p0@example.org"] and "confermato" in m.subject)
    link = next(line for line in confirmed.body.splitlines() if "/seminario/annulla/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    with committed():
        response = Client().post("/" + path)
    assert response.status_code == 200 and "annullata" in response.content.decode()
    assert dict(Registration.objects.values_list("email", "status")) == {
        "p0@example.org": "cancelled",
        "p1@example.org": "confirmed",
    }


def test_the_role_other_needs_to_say_which():
    seminar = SeminarFactory()
    response = Client().post(seminar.get_public_url(), _form(seminar, role="other", role_other=""))
    assert response.status_code == 400 and "Indica quale ruolo" in response.content.decode()
    response = Client().post(seminar.get_public_url(), _form(seminar, role="other", role_other="Giornalista"))
    assert response.status_code == 200
    assert Registration.objects.get().role_other == "Giornalista"
