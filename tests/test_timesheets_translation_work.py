"""Translation work of the mini-guide as timesheet hours, where the province wants it: the mediator says the hours
spent when handing a translation in (more than 0, at most 40); the approved tasks of the month become lines of the
mediator's timesheet (day of approval, what, language, hours at the provider's hourly rate), in the month's totals
and exports. Where the province does not count them, nothing changes.

A hand-built November 2026 (clock frozen on 10 December): one session held (1.25 h, 38.83 €, tests/
timesheet_factories.py) at 21.50 €/h, and translations approved on 12 November (2.50 h → 53.75 €), on 30 November at
23:30 Italian time (1.25 h → 26.88 €, the introduction, a task of the whole province), on 1 December at 00:30
(December's) and one handed in but not approved."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from core.errors import DomainError
from guide import services as guide_services
from guide.models import Translation, TranslationTask
from timesheets import selectors, services
from timesheets.models import ProvinceTimesheetSettings

from . import timesheet_factories as tf
from .conftest import login_client
from .guide_factories import EntryFactory
from .test_timesheets_pages import MINE_QUERIES, SHEET_QUERIES, _count

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
NOVEMBER = datetime(2026, 11, 1).date()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime(2026, 12, 10, 12, 0, tzinfo=ROME), tick=False):
        yield


@pytest.fixture(autouse=True)
def _guide_reference_data(db):
    guide_services.reference_data_seed()


def _task(world, *, hours, approved_at, entry=None, language="ara", status="approved"):
    return TranslationTask.objects.create(
        province=world.province,
        district=entry.district if entry else None,
        entry=entry,
        language=language,
        translator=world.mediator,
        deadline=NOVEMBER + timedelta(days=28),
        status=status,
        hours_spent=Decimal(hours),
        approved_at=approved_at,
    )


@pytest.fixture
def world():
    world = tf.month_world(held=1)
    assert tf.last_month() == NOVEMBER
    consultorio = EntryFactory(district=world.district, service__name="Consultorio familiare")
    _task(world, hours="2.50", approved_at=datetime(2026, 11, 12, 10, 0, tzinfo=ROME), entry=consultorio)
    _task(world, hours="1.25", approved_at=datetime(2026, 11, 30, 23, 30, tzinfo=ROME), language="urd")
    _task(world, hours="3", approved_at=datetime(2026, 12, 1, 0, 30, tzinfo=ROME), entry=consultorio)
    _task(world, hours="4", approved_at=None, entry=consultorio, status="submitted")
    return world


def _counts(province, on: bool):
    ProvinceTimesheetSettings.objects.update_or_create(province=province, defaults={"counts_translation_work": on})


def _sheet(world):
    return selectors.build_sheets(pairs=[(world.mediator, world.district)], month=NOVEMBER)[0]


def test_where_the_province_counts_translations_the_months_approved_tasks_are_lines_with_exact_figures(world):
    _counts(world.province, True)
    sheet = _sheet(world)
    assert [(line.day.isoformat(), line.label, line.hours, line.cost) for line in sheet.translation_lines] == [
        ("2026-11-12", "Traduzione mini-guida: Consultorio familiare (arabo)", Decimal("2.50"), Decimal("53.75")),
        ("2026-11-30", "Traduzione mini-guida: introduzione e categorie (urdu)", Decimal("1.25"), Decimal("26.88")),
    ]
    assert sheet.hours == Decimal("5.00") and sheet.cost == Decimal("119.46")


def test_where_the_province_does_not_count_them_nothing_changes(world):
    _counts(world.province, False)
    sheet = _sheet(world)
    assert sheet.translation_lines == [] and sheet.hours == Decimal("1.25") and sheet.cost == Decimal("38.83")
    ProvinceTimesheetSettings.objects.all().delete()  # no setting at all: the same
    assert _sheet(world).cost == Decimal("38.83")


def test_the_translation_lines_are_on_the_pages_in_the_districts_totals_and_in_the_exports(world):
    _counts(world.province, True)
    url = reverse("timesheets:sheet", args=[world.mediator.pk, world.district.pk, NOVEMBER])
    coordinator = login_client(world.coordinator)
    html = coordinator.get(url).content.decode()
    assert html.count('data-testid="translation-line"') == 2
    assert "Traduzione mini-guida: Consultorio familiare (arabo)" in html and "53,75" in html and "119,46" in html
    mine = login_client(world.mediator_user).get(reverse("timesheets:mine") + "?mese=2026-11").content.decode()
    assert "Traduzione mini-guida: introduzione e categorie (urdu)" in mine and "26,88" not in mine  # no costs
    totals = coordinator.get(reverse("timesheets:district") + "?mese=2026-11").context["totals"]
    assert (totals["hours"], totals["cost"]) == (Decimal("5.00"), Decimal("119.46"))
    export = reverse("timesheets:export", args=[world.mediator.pk, world.district.pk, NOVEMBER, "csv"])
    csv_text = coordinator.get(export).content.decode("utf-8-sig")
    assert "12/11/2026;;;;;Traduzione mini-guida: Consultorio familiare (arabo);;2,50;;;;53,75" in csv_text
    assert ";Totale;;5,00;" in csv_text and ";119,46;" in csv_text


def test_a_month_of_translation_work_only_can_be_submitted(world):
    _counts(world.province, True)
    # The month's one session turns out void: what is left is the translation work.
    type(world.appointments[0]).objects.filter(pk=world.appointments[0].pk).update(status="void")
    sheet = services.timesheet_submit(
        actor=actor_for(world.mediator_user), mediator=world.mediator, district=world.district, month=NOVEMBER
    )
    assert sheet.status == "submitted"


def test_the_sheet_pages_run_the_same_queries_with_translation_lines(world):
    _counts(world.province, True)
    for day in range(3, 30):
        _task(world, hours="1", approved_at=datetime(2026, 11, day, 9, 0, tzinfo=ROME))
    url = reverse("timesheets:sheet", args=[world.mediator.pk, world.district.pk, NOVEMBER])
    # Where the province counts translation work, its lines cost one query more (for 27 tasks as for none).
    assert _count(login_client(world.coordinator), url) == SHEET_QUERIES + 1
    client = login_client(world.mediator_user)
    assert _count(client, reverse("timesheets:mine") + "?mese=2026-11") == MINE_QUERIES + 1
    assert len(_sheet(world).translation_lines) == 29


# --- The hours spent, when handing in -------------------------------------------------------------------------------


@pytest.fixture
def open_task(world):
    entry = EntryFactory(district=world.district, service__name="Sportello stranieri")
    return guide_services.translation_task_create(
        actor=actor_for(world.coordinator),
        entry=entry,
        language="ara",
        translator=world.mediator,
        deadline=timezone.localdate() + timedelta(days=7),
    )


def _all_texts(task):
    return {f"{k}:{o}:{fld}": "نص" for k, o, fld, _s in guide_services.task_sources(task)}


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (None, "quante ore"),
        ("", "quante ore"),
        ("0", "più di 0"),
        ("-1", "più di 0"),
        ("40,5", "più di 0"),
        ("tre", "numero"),
        ("1,255", "due decimali"),
        ("NaN", "più di 0"),
    ],
)
def test_handing_in_needs_the_hours_spent_more_than_0_and_at_most_40(world, open_task, hours, message):
    with pytest.raises(DomainError, match=message) as error:
        guide_services.translation_save(
            actor=actor_for(world.mediator_user), task=open_task, texts=_all_texts(open_task), submit=True, hours=hours
        )
    assert error.value.field == "hours"
    open_task.refresh_from_db()
    assert open_task.status == "open" and open_task.hours_spent is None
    assert not Translation.objects.filter(object_id=str(open_task.entry.service_id)).exists()  # nothing half-saved


def test_the_hours_handed_in_with_a_comma_are_kept_and_the_approval_is_dated(world, open_task):
    guide_services.translation_save(
        actor=actor_for(world.mediator_user), task=open_task, texts=_all_texts(open_task), submit=True, hours="1,5"
    )
    guide_services.translation_task_approve(actor=actor_for(world.coordinator), task=open_task)
    open_task.refresh_from_db()
    assert open_task.hours_spent == Decimal("1.50") and open_task.status == "approved"
    assert open_task.approved_at == timezone.now()


def test_the_side_by_side_page_asks_for_the_hours_and_says_what_is_wrong(world, open_task):
    client = login_client(world.mediator_user)
    url = reverse("guide:task", args=[open_task.pk])
    assert 'name="ore"' in client.get(url).content.decode()
    response = client.post(url, {**_all_texts(open_task), "ore": "50", "consegna": "1"}, follow=True)
    assert response.status_code == 200 and "più di 0 e al massimo 40" in response.content.decode()
    open_task.refresh_from_db()
    assert open_task.status == "open"
