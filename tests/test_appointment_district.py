"""An appointment keeps its request's district: every way an appointment is written fills it, the migration filled the
old ones, and a district's timesheets and calendars read it instead of joining the requests."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.scoping import actor_for
from scheduling import services as scheduling_services
from scheduling.models import Appointment

from . import factories as f
from .test_series import monday_next_week, plan_weekly, world  # noqa: F401 (the fixture)

# A Sunday at 23:30 in Rome, the night summer time begins: what "last month" and "next Monday" mean does not move.
NOW = datetime(2026, 3, 29, 23, 30, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def the_requests_district(appointment: Appointment) -> int:
    return appointment.request.office.district_id


def test_an_appointment_planned_by_the_coordinator_has_the_requests_district(world):  # noqa: F811
    start = monday_next_week(9)
    appointment = scheduling_services.appointment_create(
        actor=actor_for(world["coordinator"]),
        request=world["request"],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )

    appointment.refresh_from_db()
    assert appointment.district_id == world["district"].pk == the_requests_district(appointment)


def test_every_occurrence_of_a_series_has_the_requests_district(world):  # noqa: F811
    planned = plan_weekly(world, weeks=3)

    assert [a.district_id for a in planned.occurrences.all()] == [world["district"].pk] * 3


def test_saving_or_bulk_creating_without_a_district_takes_the_requests(world):  # noqa: F811
    other = f.DistrictFactory(province=world["district"].province, name="Crema")
    request = f.MediationRequestFactory(office=f.OfficeFactory(district=other))
    start = monday_next_week(15)
    fields = {"mediator": world["m"][1], "created_by": world["coordinator"], "request": request}

    saved = Appointment(starts_at=start, ends_at=start + timedelta(hours=1), **fields)
    saved.save()
    bulk = Appointment.objects.bulk_create(
        [Appointment(starts_at=start + timedelta(days=d), ends_at=start + timedelta(days=d, hours=1), **fields)
         for d in (1, 2)]
    )  # fmt: skip

    assert Appointment.objects.get(pk=saved.pk).district_id == other.pk
    assert sorted(Appointment.objects.filter(pk__in=[a.pk for a in bulk]).values_list("district_id", flat=True)) == [
        other.pk,
        other.pk,
    ]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_district_of_the_appointments_already_there(world):  # noqa: F811
    before, after = (
        [("scheduling", "0005_appointment_appointment_planned_idx_and_more")],
        [("scheduling", "0006_appointment_district")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldAppointment = old.get_model("scheduling", "Appointment")
    start = monday_next_week(11)
    OldAppointment.objects.create(
        request_id=world["request"].pk,
        mediator_id=world["m"][0].pk,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        created_by_id=world["coordinator"].pk,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(Appointment.objects.values_list("district_id", flat=True)) == [world["district"].pk]


def test_an_office_with_requests_keeps_its_district_in_the_admin(world, client_for):  # noqa: F811
    office, other = world["office"], f.DistrictFactory(province=world["district"].province, name="Crema")
    empty = f.OfficeFactory(district=world["district"])
    client = client_for(f.administrator())

    with_requests = client.get(reverse("admin:accounts_office_change", args=[office.pk])).content.decode()
    posted = client.post(
        reverse("admin:accounts_office_change", args=[office.pk]),
        {"name": office.name, "kind": office.kind, "district": other.pk},
    )
    without = client.get(reverse("admin:accounts_office_change", args=[empty.pk])).content.decode()

    assert posted.status_code == 302
    office.refresh_from_db()
    assert office.district == world["district"]
    assert 'name="district"' not in with_requests and 'name="district"' in without
