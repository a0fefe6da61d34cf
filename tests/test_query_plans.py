"""The indexes behind the lists exist and PostgreSQL uses them (issue #17). PostgreSQL only: .ci/run runs it there.

A few thousand requests in two provinces, with appointments and reports; each list page is opened as its role, its
main query is taken from the queries the page ran, and EXPLAIN must show the index that serves its order, and no
sequential scan of the big tables. ``enable_seqscan`` is switched off because the tables are still small enough
here for a scan to be the cheaper plan (fetching a page's rows one by one, the reports of the last 60 days, a month
of appointments): what is asserted is that the index serves the query, as it must at a region's scale, where
bench/lists.py reads the same plans on 150,000 requests without the switch."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from requests_app.models import MediationRequest, RequestLanguage, Status
from requests_app.services import office_languages_rebuild
from scheduling.models import Appointment
from sessions_app.models import SessionReport

from . import factories as f
from .conftest import shared_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans: run there by .ci/run"),
]

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
BIG = ("requests_app_mediationrequest", "scheduling_appointment", "sessions_app_sessionreport")
INDEXES = {
    "requests_app_mediationrequest": {
        "request_office_created_idx",
        "request_office_date_idx",
        "request_office_queue_idx",
        "request_office_order_idx",
    },
    "sessions_app_sessionreport": {"report_validated_idx", "report_editable_idx", "report_waiting_idx"},
    "scheduling_appointment": {
        "appointment_starts_at_idx",
        "appointment_planned_idx",
        "appointment_late_cancel_idx",
        "appointment_district_time_idx",
    },
    "accounts_membership": {"membership_provider_idx", "membership_active_user_idx"},
    "requests_app_officelanguage": {"officelanguage_unique"},
}
STATUSES = [Status.SUBMITTED, Status.MATCHING, Status.CLOSED, Status.CLOSED, Status.EVALUATED, Status.CANCELLED]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def _region(django_db_setup, django_db_blocker):
    """The region below, built once for the module (see conftest.shared_world)."""
    with shared_world(django_db_blocker):
        yield build_region()


@pytest.fixture
def region(_region, db):
    return _region


def build_region():
    """Two provinces of two districts of two offices each; 4,000 requests over two years, each with an appointment
    and its validated report."""
    provinces = [f.ProvinceFactory(), f.ProvinceFactory()]
    districts = [f.DistrictFactory(province=p) for p in provinces for _ in range(2)]
    offices = [f.OfficeFactory(district=d) for d in districts for _ in range(2)]
    worker = f.social_worker(office=offices[0])
    rows = [
        MediationRequest(
            office=offices[n % len(offices)],
            requester=worker,
            case_code=f"P-{n:05d}",
            service_kind="cultural_mediation",
            setting="child_protection",
            goal="Colloquio con la famiglia.",
            status=STATUSES[n % len(STATUSES)],
            urgency="urgent" if n % 11 == 0 else "ordinary",
            deadline=(NOW + timedelta(days=n % 30)).date() if n % 11 == 0 else None,
            submitted_at=NOW - timedelta(hours=4000 - n) * 4,
        )
        for n in range(4000)
    ]
    requests = MediationRequest.objects.bulk_create(rows, batch_size=1000)
    RequestLanguage.objects.bulk_create([RequestLanguage(request=r, code="ara") for r in requests], batch_size=1000)
    office_languages_rebuild()  # a bulk load goes around the services: the lists' language menus are rebuilt
    provider = f.ProviderFactory(province=provinces[0])
    mediator = f.MediatorFactory(provider=provider, districts=[districts[0]])
    coordinator = f.coordinator(district=districts[0])
    appointments = Appointment.objects.bulk_create(
        [
            Appointment(
                request=r,
                mediator=mediator,
                starts_at=NOW - timedelta(hours=2 * n + 2),
                ends_at=NOW - timedelta(hours=2 * n + 1),
                status=Appointment.Status.HELD,
                created_by=coordinator,
            )
            for n, r in enumerate(requests)
        ],
        batch_size=1000,
    )
    SessionReport.objects.bulk_create(
        [
            SessionReport(
                appointment=a,
                started_at=a.starts_at,
                ended_at=a.ends_at,
                language="ara",
                status=SessionReport.Status.VALIDATED,
                written_by=coordinator,
                validated_by=coordinator,
                validated_at=a.ends_at + timedelta(hours=1),
            )
            for a in appointments
        ],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "worker": worker,
        "coordinator": coordinator,
        "staff": f.province_staff(province=provinces[0]),
        "admin": f.administrator(),
        "offices": offices,
    }


def plan_of(sql: str, *, seqscan: bool = True) -> dict:
    with connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = on")
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def main_query(client, url: str, table: str) -> str:
    """The page's query of ``table`` that reads a page of it (the one with a LIMIT), as the page ran it."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    found = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'SELECT "{table}"."id"')]
    found = [sql for sql in found if " LIMIT " in sql]
    assert found, f"{url}: no page query of {table}"
    return found[0]


def indexes_used(plan: dict) -> set[str]:
    return {node["Index Name"] for node in nodes(plan) if "Index Name" in node}


def seq_scans(plan: dict) -> set[str]:
    return {node["Relation Name"] for node in nodes(plan) if node["Node Type"] == "Seq Scan"} & set(BIG)


def test_the_indexes_of_the_lists_exist():
    with connection.cursor() as cursor:
        for table, names in INDEXES.items():
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
            assert names <= {row[0] for row in cursor.fetchall()}, table


@pytest.mark.parametrize(
    ("who", "query", "index"),
    [
        ("worker", "", "request_office_created_idx"),  # the office's list, newest first
        ("worker", "?ultima=1", "request_office_created_idx"),
        ("coordinator", "", "request_office_queue_idx"),  # the queue: the work in progress
        ("coordinator", "?ultima=1", "request_office_queue_idx"),
        ("coordinator", "?status=", "request_office_order_idx"),  # every status, in the queue's order
        ("staff", "", "request_office_date_idx"),  # the province, most recent first
        ("staff", "?ultima=1", "request_office_date_idx"),
        ("staff", "?language=ara", "request_office_date_idx"),
        ("admin", "", "request_office_date_idx"),  # every office at once
    ],
)
def test_the_request_lists_read_their_page_from_their_index(region, client_for, who, query, index):
    sql = main_query(client_for(region[who]), reverse("requests:list") + query, "requests_app_mediationrequest")
    # A few thousand rows: fetching a page's rows one by one would cost more than reading the table.
    plan = plan_of(sql, seqscan=False)
    assert index in indexes_used(plan)
    assert not seq_scans(plan)


def test_a_deep_page_seeks_its_position_in_the_index(region, client_for):
    client = client_for(region["staff"])
    url = reverse("requests:list")
    deep = client.get(url + client.get(url).context["page"].last_url).context["page"].previous_url
    plan = plan_of(main_query(client, url + deep, "requests_app_mediationrequest"), seqscan=False)
    seeks = [n for n in nodes(plan) if n.get("Index Name") == "request_office_date_idx"]
    assert seeks and all("ROW(" in n.get("Index Cond", "") for n in seeks)  # the position is an index condition
    assert not seq_scans(plan)


def test_recently_validated_reports_come_from_their_index(region, client_for):
    with CaptureQueriesContext(connection) as queries:
        assert client_for(region["coordinator"]).get(reverse("sessions:reports")).status_code == 200
    window = '"sessions_app_sessionreport"."validated_at" >='
    recent = [q["sql"] for q in queries.captured_queries if window in q["sql"]]
    assert recent
    assert "report_validated_idx" in indexes_used(plan_of(recent[0], seqscan=False))


def test_the_reports_to_write_come_from_the_small_indexes_of_what_owes_one(region, client_for):
    with CaptureQueriesContext(connection) as queries:
        assert client_for(region["coordinator"]).get(reverse("sessions:reports")).status_code == 200
    picked = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"] and "home_part" in q["sql"]]
    assert len(picked) == 1
    used = indexes_used(plan_of(picked[0], seqscan=False))
    assert {"appointment_planned_idx", "appointment_late_cancel_idx", "report_editable_idx"} <= used


def test_a_month_of_a_districts_appointments_comes_from_the_start_index(region, client_for):
    client = client_for(region["coordinator"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("timesheets:district"), {"mese": "2026-02"}).status_code == 200
    month = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "scheduling_appointment"."id"')]
    assert month
    assert "appointment_starts_at_idx" in indexes_used(plan_of(month[0], seqscan=False))


def test_a_districts_month_of_timesheets_has_every_column_of_its_sums_in_the_districts_index(region, client_for):
    """What the month's sums read of an appointment is in the index (the region's plans, bench/pages.py, show it read
    alone there: an Index Only Scan, chosen over the start's index; the few rows here are not vacuumed, so PostgreSQL
    cannot read an index alone yet)."""
    client = client_for(region["coordinator"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("timesheets:district"), {"mese": "2026-02"}).status_code == 200
    sums = [
        q["sql"] for q in queries.captured_queries if 'WHERE ("scheduling_appointment"."district_id" IN' in q["sql"]
    ]
    assert sums
    read = set(re.findall(r'"scheduling_appointment"\."(\w+)"', sums[0]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'appointment_district_time_idx'")
        (definition,) = cursor.fetchone()
    assert "(district_id, starts_at) INCLUDE (id, mediator_id, ends_at, status, late_cancellation)" in definition
    assert read <= {"district_id", "starts_at", "id", "mediator_id", "ends_at", "status", "late_cancellation"}


def test_the_language_menu_of_the_province_comes_from_the_offices_language_rows(region, client_for):
    from django.core.cache import cache

    cache.clear()  # the menu is computed again, as on the first page after an hour
    with CaptureQueriesContext(connection) as queries:
        response = client_for(region["staff"]).get(reverse("requests:list"))
    assert "ara" in dict(response.context["filter"].form.fields["language"].choices)
    menu = [q["sql"] for q in queries.captured_queries if '"requests_app_officelanguage"' in q["sql"]]
    assert len(menu) == 1 and "requests_app_requestlanguage" not in menu[0]
    assert "officelanguage_unique" in indexes_used(plan_of(menu[0], seqscan=False))


def test_the_people_a_province_manages_through_its_providers_come_from_their_index(region):
    from accounts.scoping import visible

    provider = f.ProviderFactory(province=region["offices"][0].district.province)
    for _ in range(3):
        f.mediator(provider=provider, districts=[region["offices"][0].district])
    sql, params = visible(region["staff"], Membership).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        sql = cursor.mogrify(sql, params) if hasattr(cursor, "mogrify") else sql % tuple(params)
    plan = plan_of(sql, seqscan=False)
    # On a few rows either index of the provider serves (the region's plans read the new one alone, an index-only
    # scan: docs/performance.md); what matters is that the provider's memberships are looked up by index.
    by_provider = {name for name in indexes_used(plan) if name.startswith("accounts_membership_provider_id")}
    assert by_provider | ({"membership_provider_idx"} & indexes_used(plan))
    assert not {n["Relation Name"] for n in nodes(plan) if n["Node Type"] == "Seq Scan"} & {"accounts_membership"}
