"""The dashboard's monthly aggregates (reporting.aggregates): kept equal to a full recomputation by the services,
whatever they are asked in whatever order; the dashboard's figures from them equal those computed from the source;
a change refreshes its own months only, a rolled-back one none; the nightly task rebuilds them; the check command
finds a row that differs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import District, Office, Province
from accounts.scoping import actor_for, visible
from core.errors import DomainError
from core.models import PendingTask
from reporting import aggregates, indicators, presenters, selectors, services, tasks
from reporting.models import Action, BudgetLine, MonthlyAggregate, Project, ProjectPartner
from requests_app import services as request_services
from requests_app.models import MediationRequest
from scheduling import services as scheduling_services
from scheduling.models import Appointment
from sessions_app import services as session_services
from sessions_app.models import EvaluationCriterion, SessionReport
from timesheets import services as timesheet_services
from timesheets.models import Rate

from . import factories as f
from . import report_factories as rf

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
# A Monday near the end of a month: a few days of work cross into the next one.
START = dt.datetime(2026, 1, 26, 9, 0, tzinfo=ROME)
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


class World:
    pass


def make_world() -> World:
    """A province of two districts (an office each), two mediators serving both, a project of the province with
    both districts as partners, the default evaluation criteria, and a provider's rate from February only (the
    January sessions cost the project's rates)."""
    w = World()
    w.province = f.ProvinceFactory(name="Provincia di Aggregata", slug="aggregata")
    session_services.criteria_seed_defaults(province=w.province)
    w.districts = [f.DistrictFactory(province=w.province, name=name) for name in ("Nord", "Sud")]
    kinds = (Office.Kind.CHILD_PROTECTION, Office.Kind.BASIC_SOCIAL_SERVICE)
    w.offices = [f.OfficeFactory(district=d, kind=kind) for d, kind in zip(w.districts, kinds, strict=True)]
    w.workers = [f.social_worker(office=office) for office in w.offices]
    w.coordinators = [f.coordinator(district=district) for district in w.districts]
    provider = f.ProviderFactory(province=w.province)
    Rate.objects.create(provider=provider, valid_from=dt.date(2026, 2, 1), hourly_rate=Decimal("22.00"))
    w.mediators = []
    for _n in range(2):
        user = f.mediator(provider=provider, districts=w.districts)
        w.mediators.append(
            f.MediatorFactory(
                provider=provider, districts=w.districts, user=user, email=user.email, languages=["ara", "fra"]
            )
        )
    w.project = Project.objects.create(
        title="Mediazione aggregata",
        call="Bando 2026",
        funder=f.FunderFactory(provinces=[w.province]),
        lead_province=w.province,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        hourly_rate=Decimal("25.00"),
        km_rate=Decimal("0.30"),
    )
    for district in w.districts:
        partner = ProjectPartner.objects.create(project=w.project, name=f"Azienda {district.name}", district=district)
        BudgetLine.objects.create(project=w.project, partner=partner, action=Action.MEDIATION, amount=Decimal("900"))
    w.admin = f.administrator()
    w.filed = 0
    return w


def _in(world, model, **filters):
    return list(model.objects.filter(**filters).order_by("pk"))


def _pick(items: list, index: int):
    return items[index % len(items)] if items else None


def _district_of(world, request) -> int:
    return world.districts.index(next(d for d in world.districts if d.pk == request.office.district_id))


# --- The steps a test may take, each through a service -------------------------------------------------------------


def file(w, i, n):
    office = w.offices[i % 2]
    languages = [["ara"], ["ary", "ara"], ["fra"], ["ara", "fra"]][n % 4]
    w.filed += 1
    draft = request_services.request_save_draft(
        actor=actor_for(w.workers[i % 2]),
        office=office,
        fields={
            "case_code": f"AG-{w.filed}",
            "service_kind": "cultural_mediation",
            "setting": ["child_protection", "school", "health"][n % 3],
            "goal": "Colloquio con la famiglia.",
            "adults": 1 + n % 3,
            "minors": n % 4,
        },
        languages=[{"code": code, "variant": ""} for code in languages],
    )
    request_services.request_submit(actor=actor_for(w.workers[i % 2]), request=draft)


def accept(w, i, n):
    request = _pick(_in(w, MediationRequest, office__in=w.offices, status="submitted"), i)
    if request:
        request_services.request_accept(actor=actor_for(w.coordinators[_district_of(w, request)]), request=request)


def reject(w, i, n):
    request = _pick(_in(w, MediationRequest, office__in=w.offices, status="submitted"), i)
    if request:
        coordinator = w.coordinators[_district_of(w, request)]
        request_services.request_reject(actor=actor_for(coordinator), request=request, reason="Fuori ambito")


def cancel(w, i, n):
    request = _pick(_in(w, MediationRequest, office__in=w.offices, status__in=["submitted", "matching"]), i)
    if request:
        worker = w.workers[_district_of(w, request)]
        request_services.request_cancel(actor=actor_for(worker), request=request, reason="La famiglia è partita")


def assign(w, i, n):
    request = _pick(_in(w, MediationRequest, office__in=w.offices, status="matching"), i)
    if request:
        coordinator = actor_for(w.coordinators[_district_of(w, request)])
        mediator = w.mediators[n % 2]
        (offer,) = scheduling_services.offers_create(actor=coordinator, request=request, tiers=[[mediator]])
        scheduling_services.offer_accept(offer=offer, by=mediator.user)


def charge(w, i, n):
    request = _pick(_in(w, MediationRequest, office__in=w.offices, status__in=services.CHARGEABLE), i)
    if request:
        coordinator = w.coordinators[_district_of(w, request)]
        project = w.project if n % 3 else None
        services.project_charge_set(actor=actor_for(coordinator), request=request, project=project)


def plan(w, i, n):
    request = _pick(_in(w, MediationRequest, office__in=w.offices, status__in=["assigned", "scheduled"]), i)
    if request:
        starts_at = _now() + dt.timedelta(hours=2 + n)
        scheduling_services.appointment_create(
            actor=actor_for(w.coordinators[_district_of(w, request)]),
            request=request,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=60 + 15 * (n % 3)),
        )


def plan_series(w, i, n):
    request = _pick(_in(w, MediationRequest, office__in=w.offices, status__in=["assigned", "scheduled"]), i)
    if request:
        starts_at = _now() + dt.timedelta(hours=30 + n)
        scheduling_services.series_create(
            actor=actor_for(w.coordinators[_district_of(w, request)]),
            request=request,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=45),
            interval_weeks=1,
            until=(starts_at + dt.timedelta(days=15)).date(),
            skip_conflicts=True,
        )


def _planned(w, *, future: bool):
    appointments = _in(w, Appointment, request__office__in=w.offices, status="planned")
    return [a for a in appointments if (a.starts_at > _now()) == future]


def reschedule(w, i, n):
    appointment = _pick(_planned(w, future=True), i)
    if appointment:
        starts_at = appointment.starts_at + dt.timedelta(days=1 + n)  # often into another month
        scheduling_services.appointment_reschedule(
            actor=actor_for(w.coordinators[_district_of(w, appointment.request)]),
            appointment=appointment,
            starts_at=starts_at,
            ends_at=starts_at + (appointment.ends_at - appointment.starts_at),
            reason="La famiglia ha chiesto un altro giorno",
        )


def cancel_appointment(w, i, n):
    appointment = _pick(_planned(w, future=True), i)
    if appointment:
        scheduling_services.appointment_cancel(
            actor=actor_for(w.coordinators[_district_of(w, appointment.request)]),
            appointment=appointment,
            reason="Sciopero dei treni",
            void=n % 4 == 0,
        )


def report(w, i, n):
    appointment = _pick(_planned(w, future=False), i)
    if appointment:
        outcome = ["held", "held", "family_absent", "cancelled_late", "partly"][n % 5]
        session_services.report_save(
            actor=actor_for(appointment.mediator.user),
            appointment=appointment,
            fields=rf.report_fields(
                appointment,
                outcome=outcome,
                outcome_reason="" if outcome == "held" else "Come da accordi",
                ended_at=appointment.starts_at + dt.timedelta(minutes=30 + 10 * (n % 7)),
                travel_km=Decimal(n % 20),
            ),
            submit=True,
        )


def confirm(w, i, n):
    found = _pick(_in(w, SessionReport, appointment__request__office__in=w.offices, status="submitted"), i)
    if found:
        worker = w.workers[_district_of(w, found.appointment.request)]
        session_services.report_confirm(actor=actor_for(worker), report=found)


def validate(w, i, n):
    statuses = ["submitted", "confirmed"]
    found = _pick(_in(w, SessionReport, appointment__request__office__in=w.offices, status__in=statuses), i)
    if found:
        coordinator = w.coordinators[_district_of(w, found.appointment.request)]
        session_services.report_validate(actor=actor_for(coordinator), report=found)


def evaluate(w, i, n):
    request = _pick(_in(w, MediationRequest, office__in=w.offices, status__in=["completed", "evaluated"]), i)
    if request:
        criteria = EvaluationCriterion.objects.filter(province=w.province, active=True)
        side, who = ("requester", w.workers[_district_of(w, request)])
        if n % 2:
            side, who = ("mediator", request.assigned_mediator.user)
        session_services.evaluation_save(
            actor=actor_for(who),
            request=request,
            side=side,
            scores={criterion.pk: (1 + (n + criterion.pk) % 5, "") for criterion in criteria},
        )


def timesheet(w, i, n):
    mediator, district = w.mediators[i % 2], w.districts[n % 2]
    month = (_now().date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    sheet = timesheet_services.timesheet_submit(
        actor=actor_for(mediator.user), mediator=mediator, district=district, month=month
    )
    timesheet_services.timesheet_approve(actor=actor_for(w.coordinators[n % 2]), timesheet=sheet)


STEPS = {
    step.__name__: step
    for step in (
        file,
        accept,
        reject,
        cancel,
        assign,
        charge,
        plan,
        plan_series,
        reschedule,
        cancel_appointment,
        report,
        confirm,
        validate,
        evaluate,
        timesheet,
    )
}


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def _scope(world, **extra) -> indicators.Scope:
    return indicators.Scope(province=world.province, date_from=PERIOD[0], date_to=PERIOD[1], **extra)


def assert_the_dashboard_reads_what_the_source_says(world, scope) -> None:
    from_aggregates = selectors.dashboard_figures(user=world.admin, scope=scope)
    from_source = indicators.compute(scope)
    assert from_aggregates == from_source
    assert presenters.key_figures(from_aggregates) == presenters.key_figures(from_source)


# --- Whatever the services are asked, in whatever order --------------------------------------------------------------

# The steps of a request's life drawn more often than its ends, so that sequences reach reports and evaluations.
WEIGHTS = {
    "file": 3,
    "accept": 3,
    "assign": 3,
    "charge": 2,
    "plan": 3,
    "reschedule": 2,
    "report": 3,
    "validate": 2,
    "evaluate": 2,
}
step = st.tuples(
    st.sampled_from([name for name in sorted(STEPS) for _ in range(WEIGHTS.get(name, 1))]),
    st.integers(0, 7),
    st.integers(0, 40),
    st.integers(0, 60),
)


@pytest.fixture
def world():
    return make_world()


def test_any_sequence_of_service_calls_leaves_the_aggregates_equal_to_a_full_recomputation(
    world, django_capture_on_commit_callbacks
):
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(steps=st.lists(step, min_size=4, max_size=35))
    def run(steps):
        savepoint = transaction.savepoint()
        try:
            with time_machine.travel(START, tick=False) as clock:
                # Always some requests to work on, then what hypothesis draws, the clock moving between steps.
                for name, i, n, hours in [("file", 0, 0, 0), ("file", 1, 1, 0), ("accept", 0, 0, 1), *steps]:
                    clock.shift(dt.timedelta(hours=hours))
                    with django_capture_on_commit_callbacks(execute=True):
                        try:
                            with transaction.atomic():
                                STEPS[name](world, i, n)
                        except DomainError:
                            pass  # refused (the service checks it): nothing written, nothing to refresh
                    # After every step, not only at the end: a later refresh of the same month would hide a miss.
                    assert services.aggregates_check() == [], name
                    assert not PendingTask.objects.exists()  # every refresh ran once its change committed
                assert_the_dashboard_reads_what_the_source_says(world, _scope(world))
                assert_the_dashboard_reads_what_the_source_says(world, _scope(world, project=world.project))
        finally:
            transaction.savepoint_rollback(savepoint)

    run()


def test_a_whole_mediation_through_the_services_shows_on_the_dashboard(world, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as clock:
        for name, i, n, hours in (
            ("file", 0, 0, 0),
            ("accept", 0, 0, 1),
            ("assign", 0, 0, 1),
            ("charge", 0, 1, 1),
            ("plan", 0, 20, 1),
            ("report", 0, 0, 48),
            ("confirm", 0, 0, 1),
            ("validate", 0, 0, 1),
            ("evaluate", 0, 0, 1),
        ):
            clock.shift(dt.timedelta(hours=hours))
            with django_capture_on_commit_callbacks(execute=True):
                STEPS[name](world, i, n)
    held = MonthlyAggregate.objects.get(held=1)
    assert (held.district_id, held.project, held.month) == (world.districts[0].pk, world.project, dt.date(2026, 1, 1))
    assert held.requests == held.fulfilled == 1 and len(held.waits) == 1 and held.reached
    assert held.held_duration == dt.timedelta(minutes=30)  # the report's times, not the planned hour
    # No provider's rate in January: half an hour at the project's 25 €, and the 3.40 € of expenses reported.
    assert held.session_cost == Decimal("15.90")
    assert services.aggregates_check() == []
    assert_the_dashboard_reads_what_the_source_says(world, _scope(world))


# --- The same figures as the source ---------------------------------------------------------------------------------


def test_the_dashboard_shows_the_demos_figures_as_the_source_computes_them():
    from django.utils import timezone

    call_command("demo_data", force=True)  # its last builder builds the aggregates
    assert services.aggregates_check() == []
    admin = f.administrator()
    today = timezone.localdate()
    compared = 0
    for province in Province.objects.filter(slug__in=["cremona", "bergamo"]):
        parts = [{"district": district} for district in District.objects.filter(province=province)]
        parts += [{"project": project} for project in Project.objects.filter(lead_province=province)]
        for part in [{}, *parts]:
            for suppress in (False, True):
                scope = indicators.Scope(
                    province=province,
                    date_from=dt.date(today.year - 1, 1, 1),
                    date_to=(today.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
                    suppress=suppress,
                    **part,
                )
                from_aggregates = selectors.dashboard_figures(user=admin, scope=scope)
                assert from_aggregates == indicators.compute(scope)
                assert presenters.tables(from_aggregates) == presenters.tables(indicators.compute(scope))
                compared += 1
    cremona = indicators.compute(
        indicators.Scope(province=Province.objects.get(slug="cremona"), date_from=dt.date(2000, 1, 1), date_to=today)
    )
    assert cremona["sessions"]["held"] > 0 and cremona["reach"]["families"] > 0 and compared == 20


def test_a_report_of_whole_months_says_what_the_dashboard_says_and_another_period_reads_the_source(
    world, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        for i in range(3):
            _committed(django_capture_on_commit_callbacks, file, world, i, i)
    whole = _scope(world)
    assert selectors.report_figures(scope=whole) == indicators.compute(whole)
    MonthlyAggregate.objects.update(requests=7)  # what the dashboard would show, right or wrong
    assert selectors.report_figures(scope=whole)["fulfilment"]["submitted"] == 14  # a row per district
    days = indicators.Scope(province=world.province, date_from=dt.date(2026, 1, 2), date_to=dt.date(2026, 12, 30))
    assert selectors.report_figures(scope=days)["fulfilment"]["submitted"] == 3  # from the source


# --- Refreshed where it changed, and only when it committed ----------------------------------------------------------


def test_a_change_refreshes_its_own_month_and_no_other(world, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            file(world, 0, 0)
        clock.shift(dt.timedelta(days=10))  # February
        with django_capture_on_commit_callbacks(execute=True):
            file(world, 0, 1)
    january, february = MonthlyAggregate.objects.order_by("month")
    MonthlyAggregate.objects.filter(pk=january.pk).update(requests=99)  # something went wrong in January
    with time_machine.travel(START + dt.timedelta(days=11), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            accept(world, 1, 0)  # February's request
    assert MonthlyAggregate.objects.get(pk=january.pk).requests == 99  # not recomputed: not touched
    assert services.aggregates_check() == [
        f"district {world.districts[0].pk}, 2026-01, project -: requests is 99, the source says 1"
    ]


def _committed(capture, step, *args):
    with capture(execute=True):
        return step(*args)


def _assigned_request_with_an_appointment_in_february(world, capture):
    for step in (file, accept, assign):
        _committed(capture, step, world, 0, 0)
    request = MediationRequest.objects.get(status="assigned")
    return _plan_at(world, capture, request, dt.datetime(2026, 2, 2, 10, tzinfo=ROME))


def _plan_at(world, capture, request, starts_at):
    with capture(execute=True):
        return scheduling_services.appointment_create(
            actor=actor_for(world.coordinators[0]),
            request=request,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=1),
        )


def test_a_moved_appointment_refreshes_the_month_it_left_as_well_as_the_one_it_reached(
    world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(START, tick=False):
        appointment = _assigned_request_with_an_appointment_in_february(world, capture)
        assert MonthlyAggregate.objects.get(month=dt.date(2026, 2, 1)).planned == 1
        with capture(execute=True):
            scheduling_services.appointment_reschedule(
                actor=actor_for(world.coordinators[0]),
                appointment=appointment,
                starts_at=dt.datetime(2026, 3, 3, 10, tzinfo=ROME),
                ends_at=dt.datetime(2026, 3, 3, 11, tzinfo=ROME),
                reason="La famiglia è in viaggio",
            )
    assert not MonthlyAggregate.objects.filter(month=dt.date(2026, 2, 1)).exists()
    assert MonthlyAggregate.objects.get(month=dt.date(2026, 3, 1)).planned == 1
    assert services.aggregates_check() == []


def test_charging_a_request_to_a_project_moves_every_month_of_it(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(START, tick=False) as clock:
        _assigned_request_with_an_appointment_in_february(world, capture)
        clock.move_to(dt.datetime(2026, 2, 3, 9, tzinfo=ROME))
        _committed(capture, report, world, 0, 0)
        _committed(capture, charge, world, 0, 1)
    february = MonthlyAggregate.objects.get(month=dt.date(2026, 2, 1))
    assert (february.project, february.held) == (world.project, 1)  # not only January, the submission's month
    assert MonthlyAggregate.objects.get(month=dt.date(2026, 1, 1)).project == world.project
    assert services.aggregates_check() == []


def test_a_change_rolled_back_refreshes_nothing(world, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                file(world, 0, 0)
                raise RuntimeError("the database went away")
    assert callbacks == [] and not PendingTask.objects.exists() and not MonthlyAggregate.objects.exists()


def test_the_refresh_is_written_to_the_outbox_and_runs_once_committed(world, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            file(world, 0, 0)
        (pending,) = PendingTask.objects.filter(task=aggregates.REFRESH_TASK)
        assert not MonthlyAggregate.objects.exists()  # not yet committed
        for callback in callbacks:
            callback()
    assert not PendingTask.objects.exists()
    assert MonthlyAggregate.objects.get().requests == 1
    # Again (a duplicate delivery): the same row, recomputed from the source.
    tasks.aggregates_refresh_task.apply(args=pending.args)
    assert MonthlyAggregate.objects.get().requests == 1


# --- Rebuilt every night, checked on demand --------------------------------------------------------------------------


def test_the_nightly_task_rebuilds_every_row_from_the_source(world, django_capture_on_commit_callbacks):
    schedule = django_settings.CELERY_BEAT_SCHEDULE["reporting-aggregates-rebuild"]
    assert schedule["task"] == "reporting.tasks.aggregates_rebuild_task"
    with time_machine.travel(START, tick=False):
        for i in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                file(world, i, i)
    # Rows lost, one wrong, one for a month without any fact.
    MonthlyAggregate.objects.filter(district=world.districts[0]).delete()
    MonthlyAggregate.objects.filter(district=world.districts[1]).update(requests_by_language={"zho": 3})
    MonthlyAggregate.objects.create(province=world.province, district=world.districts[1], month=dt.date(2019, 5, 1))
    assert len(services.aggregates_check()) == 3
    result = tasks.aggregates_rebuild_task.apply().get()
    assert result == {"rows": 2, "years": 1} and services.aggregates_check() == []


def test_the_check_command_finds_a_tampered_row_and_the_rebuild_mends_it(world, django_capture_on_commit_callbacks):
    import io

    with time_machine.travel(START, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            file(world, 0, 0)
    out = io.StringIO()
    call_command("reporting_aggregates", "--check", stdout=out)
    assert "match the source" in out.getvalue()
    MonthlyAggregate.objects.update(held=7)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 differences"):
        call_command("reporting_aggregates", "--check", "--province", "aggregata", stdout=out)
    assert f"district {world.districts[0].pk}, 2026-01, project -: held is 7, the source says 0" in out.getvalue()
    call_command("reporting_aggregates", "--rebuild", stdout=io.StringIO())
    call_command("reporting_aggregates", "--check", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No province"):
        call_command("reporting_aggregates", "--check", "--province", "atlantide")


# --- Who reads them -------------------------------------------------------------------------------------------------


def test_each_role_reads_the_aggregates_of_its_own_scope_only(world):
    for district in world.districts:
        for project in (None, world.project):
            MonthlyAggregate.objects.create(
                province=world.province, district=district, project=project, month=dt.date(2026, 1, 1)
            )
    elsewhere = f.DistrictFactory()
    MonthlyAggregate.objects.create(province=elsewhere.province, district=elsewhere, month=dt.date(2026, 1, 1))
    staff = f.province_staff(province=world.province)
    viewer = f.funder_viewer(funder=world.project.funder)
    assert visible(staff, MonthlyAggregate).count() == 4
    assert set(visible(world.coordinators[0], MonthlyAggregate).values_list("district", flat=True)) == {
        world.districts[0].pk
    }
    assert set(visible(viewer, MonthlyAggregate).values_list("project", flat=True)) == {world.project.pk}
    assert not visible(world.workers[0], MonthlyAggregate).exists()
    assert not visible(world.mediators[0].user, MonthlyAggregate).exists()
