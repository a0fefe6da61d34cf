"""Benchmark: the calendars and the candidates page on a filled database (docs/performance.md, "Calendars").

    createdb -h 127.0.0.1 -U postgres cal_scale
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cal_scale DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py demo_data
    .venv/bin/python manage.py reporting_scale --year 2025 --requests 20000
    .venv/bin/python bench/calendars.py

It needs the demo world (the users of Cremona) and the province made by ``reporting_scale`` (``scala``, 2025). For
the candidates page it adds, inside a transaction rolled back at the end, ``BENCH_CANDIDATES`` mediators (default
1,500) speaking Arabic (a third Darija, a third Egyptian) in the first district of ``scala``, free on some weekdays,
most with some hours worked this month, and a request of that district in Arabic (Darija) with two proposed times
next week, looking for one. Each page
is asked ``REPEAT`` times in this process (Django's test client: no HTTP server); it prints the median time, the
size of the HTML and the number of queries.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediazione.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
CANDIDATES = int(os.environ.get("BENCH_CANDIDATES", "1500"))
MONTH, WEEK, DAY = "2025-06-01", "2025-06-09", "2025-06-10"


def measure(client, url):
    timings, size, queries = [], 0, 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: answered {response.status_code}")
        size, queries = len(response.content), len(captured.captured_queries)
    return statistics.median(timings), size, queries


def client_for(email):
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def candidates_request():
    """A request of the first district of ``scala`` in Arabic, with CANDIDATES mediators who could do it."""
    from datetime import datetime, timedelta
    from datetime import time as clock

    from django.utils import timezone

    from accounts.models import District, Provider
    from mediators.models import AvailabilitySlot, Mediator, MediatorLanguage
    from requests_app.models import MediationRequest, ProposedSlot, RequestLanguage
    from scheduling.models import Appointment

    district = District.objects.filter(province__slug="scala").order_by("pk").first()
    provider = Provider.objects.filter(province=district.province).first()
    mediators = Mediator.objects.bulk_create(
        [
            Mediator(
                provider=provider,
                first_name=f"Candidato{i}",
                last_name=f"Bench{i:05d}",
                gender=["female", "male"][i % 2],
                email=f"candidato{i}@bench.example.org",
                exp_child_protection=i % 3 == 0,
            )
            for i in range(CANDIDATES)
        ],
        batch_size=1000,
    )
    Mediator.districts.through.objects.bulk_create(
        [Mediator.districts.through(mediator_id=m.pk, district_id=district.pk) for m in mediators], batch_size=2000
    )
    MediatorLanguage.objects.bulk_create(
        [
            MediatorLanguage(mediator=m, code="ara", variant=["", "Darija", "egiziano"][i % 3])
            for i, m in enumerate(mediators)
        ],
        batch_size=2000,
    )
    AvailabilitySlot.objects.bulk_create(
        [
            AvailabilitySlot(mediator=m, weekday=i % 5, start_time=clock(9), end_time=clock(13 if i % 2 else 17))
            for i, m in enumerate(mediators)
        ],
        batch_size=2000,
    )
    office = district.offices.order_by("pk").first()
    request = MediationRequest.objects.create(
        office=office,
        requester=MediationRequest.objects.filter(office=office).first().requester,
        case_code="BENCH-CANDIDATI",
        service_kind="cultural_mediation",
        setting="child_protection",
        goal="Colloquio.",
        status="matching",
    )
    RequestLanguage.objects.create(request=request, code="ara", variant="Darija")
    # Two proposed times next week, and some hours already worked this month (they rank, and break ties).
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    for offset, hour in ((1, 10), (2, 11)):
        starts = timezone.make_aware(datetime.combine(monday + timedelta(days=offset), clock(hour)))
        ProposedSlot.objects.create(request=request, starts_at=starts, ends_at=starts + timedelta(hours=1))
    first = timezone.make_aware(datetime.combine(today.replace(day=1), clock(8)))
    Appointment.objects.bulk_create(
        [
            Appointment(
                request=request,
                mediator=m,
                starts_at=first + timedelta(days=i % 20),
                ends_at=first + timedelta(days=i % 20, minutes=30 + (i * 7) % 150),
                status="held",
                created_by=request.requester,
            )
            for i, m in enumerate(mediators)
            if i % 4
        ],
        batch_size=2000,
    )
    return request


def main():
    from accounts.models import District

    setup_test_environment()
    print(f"Database: {connection.vendor} · {REPEAT} rounds per page (median)")
    scala = District.objects.filter(province__slug="scala").order_by("pk").first()
    cremona = District.objects.get(name="Cremona")

    def day_url(district):
        try:
            return reverse("scheduling:calendar_day", args=[district.pk, DAY])
        except NoReverseMatch:
            return None

    calendar = reverse("scheduling:calendar")
    pages = [
        ("provincia.cremona@example.org", f"{calendar}?vista=mese", "demo: province month (this month)"),
        ("coordinatore.cremona@example.org", f"{calendar}?vista=mese", "demo: district month"),
        ("mediatore.cremona@example.org", f"{calendar}?vista=mese", "demo: mediator month"),
        ("provincia.cremona@example.org", calendar, "demo: province week"),
        ("scala.provincia@scala.example.org", f"{calendar}?vista=mese&data={MONTH}", "scale: province month"),
        ("scala.provincia@scala.example.org", f"{calendar}?data={WEEK}", "scale: province week"),
        ("scala.coordinatore@scala.example.org", f"{calendar}?vista=mese&data={MONTH}", "scale: district month"),
        ("scala.coordinatore@scala.example.org", f"{calendar}?data={WEEK}", "scale: district week"),
        ("scala.coordinatore@scala.example.org", day_url(scala), "scale: a district's day"),
        ("provincia.cremona@example.org", day_url(cremona), "demo: a district's day"),
    ]
    for email, url, label in pages:
        if url is None:
            continue
        median, size, queries = measure(client_for(email), url)
        print(f"  {median:8.1f} ms  {size / 1024:8.1f} KB  {queries:3d} queries  {label}")
    with transaction.atomic():
        request = candidates_request()
        url = reverse("scheduling:candidates", args=[request.pk])
        median, size, queries = measure(client_for("scala.coordinatore@scala.example.org"), url)
        print(f"  {median:8.1f} ms  {size / 1024:8.1f} KB  {queries:3d} queries  candidates ({CANDIDATES} in Arabic)")
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
