"""Benchmark: the reporting dashboard of one province-year, read from the monthly aggregates (as it is now) and
computed from the source tables (as it was: ``indicators.compute`` on every view), on a database already filled with
``manage.py reporting_scale`` (several province-years: see docs/performance.md). Also the cost of keeping the
aggregates: one refresh (a district's month, what a service's change costs a worker), the rebuild and the check.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rep_scale .venv/bin/python bench/dashboard.py --province scala1

Each page is requested through Django's test client in this process (the template rendered, the middleware run),
after one warm-up: the median and the best of ``--rounds`` wall times, then one more round counting the queries and
their time. The database is only read, but for the refresh and the rebuild (which write the same rows again).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediazione.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def _timed(function, rounds: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    function()  # warm-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        function()
    return {
        "median_ms": round(statistics.median(times) * 1000),
        "best_ms": round(min(times) * 1000),
        "queries": len(queries.captured_queries),
        "sql_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--province", default="scala1", help="The province's short name (reporting_scale --province).")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from accounts.models import District, Province, User
    from reporting import aggregates, indicators, selectors, services
    from reporting.models import MonthlyAggregate
    from requests_app.models import MediationRequest
    from scheduling.models import Appointment

    province = Province.objects.get(slug=args.province)
    staff = User.objects.get(email=f"scala.provincia@{args.province}.example.org")
    client = Client(SERVER_NAME="localhost")
    client.force_login(staff)
    params = {"dal": f"{args.year}-01-01", "al": f"{args.year}-12-31"}

    def page() -> None:
        response = client.get(reverse("reporting:dashboard"), params)
        if response.status_code != 200:
            raise SystemExit(f"The dashboard answered {response.status_code}.")

    print(
        f"Database: {MediationRequest.objects.count():,} requests, {Appointment.objects.count():,} appointments, "
        f"{Province.objects.count()} provinces, {MonthlyAggregate.objects.count():,} monthly aggregate rows; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    after = _timed(page, args.rounds)
    print(f"dashboard, {args.province} {args.year}, from the monthly aggregates: {after}")
    # As it was: every indicator computed from the source tables on every view (the same page, template, scope).
    from_aggregates = selectors.dashboard_figures
    selectors.dashboard_figures = lambda *, user, scope: indicators.compute(scope)
    try:
        before = _timed(page, args.rounds)
    finally:
        selectors.dashboard_figures = from_aggregates
    print(f"dashboard, {args.province} {args.year}, from the source tables (before): {before}")

    district = District.objects.filter(province=province).order_by("pk").first()
    import datetime as dt

    refresh = _timed(lambda: aggregates.refresh(district_id=district.pk, month=dt.date(args.year, 6, 1)), args.rounds)
    print(f"refresh of one district's month (what one change costs a worker): {refresh}")
    started = time.perf_counter()
    done = services.aggregates_rebuild()
    print(f"rebuild of every aggregate: {done} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    differences = services.aggregates_check()
    print(f"check of every aggregate: {len(differences)} differences in {time.perf_counter() - started:.1f} s")
    return 0 if not differences else 1


if __name__ == "__main__":
    sys.exit(main())
