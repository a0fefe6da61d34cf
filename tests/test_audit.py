"""The read audit: every opening of a page about a family and every export download is one row (who, in which role,
what, when, a keyed hash of the address); rows are never changed or deleted; province staff read their province's
audit, administrators all of it."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit import services
from audit.models import AuditIsAppendOnly, ReadEvent
from scheduling.models import AppointmentSeries

from . import factories as f
from . import report_factories as rf
from .conftest import login_client

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL: run there by .ci/run"
)


@pytest.fixture
def world():
    return rf.make_world(sessions=2)


def only_event() -> ReadEvent:
    assert ReadEvent.objects.count() == 1
    return ReadEvent.objects.get()


def test_opening_a_request_page_records_one_row_with_the_role_and_the_hash_of_the_address(world):
    url = world.request.get_absolute_url()

    assert login_client(world.coordinator).get(url).status_code == 200

    event = only_event()
    assert event.user == world.coordinator
    assert event.role == "coordinator"
    assert event.kind == ReadEvent.Kind.REQUEST
    assert (event.object_type, event.object_id) == ("requests_app.mediationrequest", world.request.pk)
    assert event.province_id == world.province.pk
    assert event.path_hash == services.path_hash(url)
    assert len(event.path_hash) == 64
    assert timezone.now() - event.at < timedelta(minutes=1)


def test_the_query_string_is_kept_only_inside_the_keyed_hash(world):
    url = world.request.get_absolute_url() + "?cerca=Rossi+Mario"

    login_client(world.social_worker).get(url)

    event = only_event()
    assert event.role == "social_worker"
    stored = " ".join(str(value) for value in ReadEvent.objects.values().get().values())
    assert "Rossi" not in stored and "cerca" not in stored
    assert services.path_matches(event=event, path=url)
    assert not services.path_matches(event=event, path=world.request.get_absolute_url())
    # Keyed: a bare SHA-256 of the address would let anyone try candidate query strings.
    import hashlib

    assert event.path_hash != hashlib.sha256(url.encode()).hexdigest()


def test_the_hash_still_proves_the_address_after_the_secret_key_is_rotated(world, settings):
    url = world.request.get_absolute_url()
    login_client(world.coordinator).get(url)
    event = only_event()

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789"

    assert services.path_matches(event=event, path=url)


def test_opening_an_appointment_page_records_it_for_the_mediator(world):
    appointment = world.appointments[0]

    assert login_client(world.mediator_user).get(appointment.get_absolute_url()).status_code == 200

    event = only_event()
    assert (event.user, event.role, event.kind) == (world.mediator_user, "mediator", ReadEvent.Kind.APPOINTMENT)
    assert (event.object_type, event.object_id) == ("scheduling.appointment", appointment.pk)
    assert event.province_id == world.province.pk


def test_opening_a_series_page_records_it(world):
    planned = AppointmentSeries.objects.create(
        request=world.request,
        mediator=world.mediator,
        interval_weeks=1,
        first_starts_at=world.appointments[0].starts_at,
        until=timezone.localdate() + timedelta(days=30),
        created_by=world.coordinator,
    )

    assert login_client(world.social_worker).get(planned.get_absolute_url()).status_code == 200

    event = only_event()
    assert (event.kind, event.object_id, event.role) == (ReadEvent.Kind.SERIES, planned.pk, "social_worker")


@pytest.mark.parametrize(
    ("name", "what"), [("export_csv", "mediators.roster.csv"), ("export_xlsx", "mediators.roster.xlsx")]
)
def test_downloading_a_roster_export_records_its_name_and_the_province(world, name, what):
    response = login_client(world.coordinator).get(reverse(f"mediators:{name}") + "?language=ara")
    assert response.status_code == 200
    b"".join(response.streaming_content) if response.streaming else response.content

    event = only_event()
    assert (event.kind, event.what, event.object_id) == (ReadEvent.Kind.EXPORT, what, None)
    assert event.province_id == world.province.pk
    assert event.path_hash == services.path_hash(reverse(f"mediators:{name}") + "?language=ara")


def test_an_outsider_gets_404_and_records_nothing(world):
    outsider = f.coordinator()

    assert login_client(outsider).get(world.request.get_absolute_url()).status_code == 404

    assert not ReadEvent.objects.exists()


def test_every_opening_is_a_new_row(world):
    client = login_client(world.coordinator)
    for _ in range(3):
        client.get(world.request.get_absolute_url())

    assert ReadEvent.objects.filter(user=world.coordinator, object_id=world.request.pk).count() == 3


# --- Append-only ------------------------------------------------------------------------------------------------------


@pytest.fixture
def event(world):
    login_client(world.coordinator).get(world.request.get_absolute_url())
    return only_event()


def test_a_row_cannot_be_changed_through_the_orm(event):
    event.role = "administrator"
    with pytest.raises(AuditIsAppendOnly):
        event.save()
    with pytest.raises(AuditIsAppendOnly):
        ReadEvent.objects.filter(pk=event.pk).update(role="administrator")
    with pytest.raises(AuditIsAppendOnly):
        ReadEvent.objects.bulk_update([event], ["role"])
    assert ReadEvent.objects.get(pk=event.pk).role == "coordinator"


def test_a_row_cannot_be_deleted_through_the_orm(event):
    with pytest.raises(AuditIsAppendOnly):
        event.delete()
    with pytest.raises(AuditIsAppendOnly):
        ReadEvent.objects.all().delete()
    assert ReadEvent.objects.filter(pk=event.pk).exists()


def test_the_reader_cannot_be_deleted_while_their_reads_are_in_the_audit(event):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        event.user.delete()


@postgresql_only
def test_postgresql_refuses_to_update_a_row_even_with_raw_sql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_readevent SET role = 'administrator' WHERE id = %s", [event.pk])
    assert ReadEvent.objects.get(pk=event.pk).role == "coordinator"


@postgresql_only
def test_postgresql_refuses_to_delete_a_row_even_with_raw_sql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_readevent WHERE id = %s", [event.pk])
    assert ReadEvent.objects.filter(pk=event.pk).exists()


@postgresql_only
def test_postgresql_still_accepts_new_rows(event):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_readevent (at, user_id, role, kind, object_type, what, path_hash) "
            "VALUES (now(), %s, 'coordinator', 'export', '', 'x', %s)",
            [event.user_id, "0" * 64],
        )
    assert ReadEvent.objects.count() == 2


# --- A page does not wait for the disk to record its read (PostgreSQL) ---------------------------------------------


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _audit_inserts(queries) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].startswith('INSERT INTO "audit_readevent"')]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_page_opened_outside_a_transaction_commits_its_read_without_waiting_and_changes_nothing_after():
    from django.test.utils import CaptureQueriesContext

    world = rf.make_world(sessions=1)
    url = world.request.get_absolute_url()
    with CaptureQueriesContext(connection) as captured:
        assert login_client(world.coordinator).get(url).status_code == 200

    [insert] = _audit_inserts(captured.captured_queries)
    assert insert.endswith(f'RETURNING "audit_readevent"."id", {services.WITHOUT_WAITING_FOR_DISK}')
    event = only_event()
    assert (event.user, event.role, event.kind) == (world.coordinator, "coordinator", ReadEvent.Kind.REQUEST)
    assert (event.object_id, event.province_id, event.path_hash) == (
        world.request.pk,
        world.province.pk,
        services.path_hash(url),
    )
    assert timezone.now() - event.at < timedelta(minutes=1)
    # The setting lived as long as the INSERT's own transaction: the connection's next commits wait for the disk.
    assert _synchronous_commit() == "on"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_read_recorded_inside_a_transaction_commits_with_it_as_it_commits():
    from django.test.utils import CaptureQueriesContext

    world = rf.make_world(sessions=1)
    actor = services.actor_for(world.coordinator)
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        services.record(actor=actor, kind=ReadEvent.Kind.REQUEST, path="/x/", obj=world.request)
        assert _synchronous_commit() == "on"

    assert not any("synchronous_commit" in sql for sql in _audit_inserts(captured.captured_queries))
    assert only_event().object_id == world.request.pk


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_installation_that_wants_every_read_on_disk_first_gets_plain_inserts(settings):
    from django.test.utils import CaptureQueriesContext

    settings.READ_AUDIT_WAIT_FOR_DISK = True
    world = rf.make_world(sessions=1)
    with CaptureQueriesContext(connection) as captured:
        login_client(world.coordinator).get(world.request.get_absolute_url())

    [insert] = _audit_inserts(captured.captured_queries)
    assert "synchronous_commit" not in insert
    assert only_event().object_id == world.request.pk


# --- The audit page ---------------------------------------------------------------------------------------------------


def entry(user, province, *, kind=ReadEvent.Kind.REQUEST, days_ago=0, role="coordinator") -> ReadEvent:
    return ReadEvent.objects.create(
        user=user,
        role=role,
        kind=kind,
        object_type="requests_app.mediationrequest" if kind == ReadEvent.Kind.REQUEST else "",
        object_id=1 if kind == ReadEvent.Kind.REQUEST else None,
        what="mediators.roster.csv" if kind == ReadEvent.Kind.EXPORT else "",
        province=province,
        at=timezone.now() - timedelta(days=days_ago),
        path_hash="a" * 64,
    )


@pytest.fixture
def two_provinces(world):
    elsewhere = f.ProvinceFactory()
    reader_here = f.coordinator(district=world.district, email="lettore.qui@example.org")
    reader_elsewhere = f.coordinator(district=f.DistrictFactory(province=elsewhere), email="altrove@example.org")
    here = [entry(reader_here, world.province), entry(reader_here, world.province, kind=ReadEvent.Kind.EXPORT)]
    there = [entry(reader_elsewhere, elsewhere)]
    return {"here": here, "there": there, "elsewhere": elsewhere, "reader_here": reader_here}


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {event.pk for event, _url in response.context["rows"]}


def test_province_staff_see_only_the_audit_of_their_province(world, two_provinces):
    staff = f.province_staff(province=world.province)

    rows = listed(login_client(staff).get(reverse("audit:list")))

    assert rows == {e.pk for e in two_provinces["here"]}


def test_province_staff_of_another_province_see_none_of_it(world, two_provinces):
    staff = f.province_staff(province=two_provinces["elsewhere"])

    assert listed(login_client(staff).get(reverse("audit:list"))) == {e.pk for e in two_provinces["there"]}


def test_administrators_see_the_whole_audit(world, two_provinces):
    rows = listed(login_client(f.administrator()).get(reverse("audit:list")))

    assert rows == {e.pk for e in two_provinces["here"] + two_provinces["there"]}


@pytest.mark.parametrize("role", ["social_worker", "coordinator", "mediator", "funder_viewer"])
def test_other_roles_have_no_audit_page(world, role):
    user = getattr(f, role)()

    assert login_client(user).get(reverse("audit:list")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(world):
    assert Client().get(reverse("audit:list")).status_code == 302


def test_the_audit_filters_by_who_kind_and_period(world, two_provinces):
    staff = login_client(f.province_staff(province=world.province))
    old = entry(f.coordinator(district=world.district, email="vecchio@example.org"), world.province, days_ago=40)
    url = reverse("audit:list")

    assert listed(staff.get(url, {"who": "lettore.qui"})) == {e.pk for e in two_provinces["here"]}
    assert listed(staff.get(url, {"kind": "export"})) == {two_provinces["here"][1].pk}
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert listed(staff.get(url, {"date_from": since})) == {e.pk for e in two_provinces["here"]}
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert listed(staff.get(url, {"date_to": until})) == {old.pk}


@pytest.mark.parametrize(
    "query",
    [{"date_from": "2026-02-31"}, {"kind": "<script>"}, {"role": "boss"}, {"page": "abc"}, {"page": "99999"}],
)
def test_a_bad_filter_is_a_message_not_a_500(world, two_provinces, query):
    response = login_client(f.province_staff(province=world.province)).get(reverse("audit:list"), query)

    assert response.status_code == 200


def test_the_count_stops_at_1000_and_the_pages_go_by_the_time_of_the_entries(world):
    reader = f.coordinator(district=world.district, email="lettore.assiduo@example.org")
    start = timezone.now() - timedelta(days=3)
    ReadEvent.objects.bulk_create(
        ReadEvent(
            user=reader,
            role="coordinator",
            kind=ReadEvent.Kind.REQUEST,
            object_type="requests_app.mediationrequest",
            object_id=n,
            province=world.province,
            at=start + timedelta(minutes=n),
            path_hash="a" * 64,
        )
        for n in range(1001)
    )
    staff = login_client(f.province_staff(province=world.province))

    first = staff.get(reverse("audit:list")).context["page"]
    assert first.count_is_capped  # "More than 1,000 entries"
    assert [event.object_id for event in first][:2] == [1000, 999]  # the latest first
    last = staff.get(reverse("audit:list") + first.last_url).context["page"]
    assert [event.object_id for event in last][-2:] == [1, 0]
    assert staff.get(reverse("audit:list"), {"who": "nessuno"}).context["page"].count == 0


def test_the_page_links_each_entry_to_what_was_read(world):
    coordinator = login_client(world.coordinator)
    coordinator.get(world.request.get_absolute_url())
    for appointment in world.appointments[:2]:
        coordinator.get(appointment.get_absolute_url())

    response = login_client(f.province_staff(province=world.province)).get(reverse("audit:list"))

    # Newest first: each entry links to its own object, whatever the kind.
    assert [url for _event, url in response.context["rows"]] == [
        world.appointments[1].get_absolute_url(),
        world.appointments[0].get_absolute_url(),
        world.request.get_absolute_url(),
    ]
    body = response.content.decode()
    assert world.coordinator.email in body
    event = response.context["rows"][0][0]
    assert f'title="{event.path_hash}">{event.path_hash[:12]}…</code>' in body


def test_opening_a_session_report_page_records_it(world):
    report = rf.write(world, world.appointments[0])

    assert login_client(world.social_worker).get(report.get_absolute_url()).status_code == 200

    event = only_event()
    assert (event.kind, event.object_type, event.object_id) == (
        ReadEvent.Kind.SESSION_REPORT,
        "sessions_app.sessionreport",
        report.pk,
    )
    assert (event.role, event.province_id) == ("social_worker", world.province.pk)


# --- Downloads of the other capabilities --------------------------------------------------------------------------


def test_downloading_a_timesheet_records_its_name():
    from . import timesheet_factories as tf

    world = tf.month_world(held=2)
    args = [world.mediator.pk, world.district.pk, tf.last_month()]

    response = login_client(world.coordinator).get(reverse("timesheets:export", args=[*args, "xlsx"]))

    assert response.status_code == 200
    event = only_event()
    assert (event.kind, event.what, event.role) == (ReadEvent.Kind.EXPORT, "timesheets.sheet.xlsx", "coordinator")
    assert event.province_id == world.province.pk
    # An unknown format is a 404 and no download: nothing recorded (and no free text from the address stored).
    assert login_client(world.coordinator).get(reverse("timesheets:export", args=[*args, "doc"])).status_code == 404
    assert ReadEvent.objects.count() == 1


def test_downloading_the_districts_month_records_its_name():
    from . import timesheet_factories as tf

    world = tf.month_world(held=1)
    url = reverse("timesheets:month_export", args=["csv"]) + f"?mese={tf.last_month():%Y-%m}"

    assert login_client(world.coordinator).get(url).status_code == 200

    assert only_event().what == "timesheets.month.csv"


def test_downloading_a_report_records_the_report():
    import datetime as dt

    from accounts.scoping import actor_for
    from reporting import services as reporting_services

    from .test_reporting import build_data

    data = build_data()
    job = reporting_services.report_job_create(
        actor=actor_for(data.staff),
        province=data.province,
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 3, 31),
        format="csv",
    )
    reporting_services.report_job_run(job_id=job.pk)

    response = login_client(data.staff).get(reverse("reporting:job_download", args=[job.pk]))

    assert response.status_code == 200
    event = only_event()
    assert (event.kind, event.what, event.role) == (
        ReadEvent.Kind.EXPORT,
        f"reporting.report.csv:{job.pk}",
        "province_staff",
    )
    assert event.province_id == data.province.pk
