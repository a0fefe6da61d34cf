"""Fill a throwaway PostgreSQL database with a region: ten years of a million requests (by default) over five
provinces and forty districts, with everything that happened to them, and 10,000 mediators serving the districts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_region .venv/bin/python bench/region.py --requests 100000

Five provinces of eight districts, three offices per district; users of every role (an administrator, province
staff, a funder's viewer per province, two coordinators per district, three social workers per office, a user per
mediator: every address ends in @region.example.org, password ``mediazione-bench``); requests submitted on working
days over the last ten years, each with the life it had by now: its history, offers, appointments (never two at
once for a mediator: PostgreSQL's exclusion constraint holds), session reports, evaluations, the charge to the
province's funded project, notifications and read-audit rows; monthly timesheets; requests finished more than five
years ago anonymised. Rows are copied with COPY in chunks (bench.pgcopy): migrations own every table, index and
constraint, and nothing is dropped or disabled. It refuses a database that holds any row already.

bench/pages.py runs it before measuring the pages; tests/test_bench_region.py runs it at a tiny scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import region_life, region_people  # noqa: E402
from bench.pgcopy import Copier  # noqa: E402

# Tables a fresh `migrate` fills by itself.
MIGRATION_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


class RefusedDatabase(Exception):
    """The database is not a throwaway PostgreSQL database: nothing was written."""


def check_database(*, reuse: bool = False) -> None:
    """Refuse anything but PostgreSQL, and a database holding rows (unless ``reuse``: then it must hold a region)."""
    if connection.vendor != "postgresql":
        raise RefusedDatabase(
            "The region benchmark needs PostgreSQL: set DATABASE_URL to an empty database, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres bench_region\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_region make bench"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        tables = sorted(name for (name,) in cursor.fetchall() if name not in MIGRATION_TABLES)
        filled = []
        for name in tables:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")')  # noqa: S608 - names from the catalogue
            if cursor.fetchone()[0]:
                filled.append(name)
    database = connection.settings_dict["NAME"]
    if reuse:
        from accounts.models import User

        if "accounts_user" not in tables or not User.objects.filter(email=region_people.email("admin")).exists():
            raise RefusedDatabase(f"BENCH_REUSE=1, but the database {database} holds no region: run without it.")
        return
    if filled:
        raise RefusedDatabase(
            f"The database {database} holds rows already ({', '.join(filled[:5])}{'…' if len(filled) > 5 else ''}): "
            "the region benchmark fills only an empty database. Create one (createdb) and point DATABASE_URL to it, "
            "or rerun with BENCH_REUSE=1 to measure a region filled before."
        )


def fill(*, requests: int, mediators: int, seed: int = 17, now: dt.datetime | None = None, chunk: int = 20000,
         say=print) -> dict:  # fmt: skip
    """Fill the (migrated, empty) database; returns the rows and seconds of each table. Runs in the caller's
    transaction if there is one (the tests'), otherwise each chunk commits."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - dt.timedelta(days=3652 - 1)  # ten years back (replace(year=…) fails on 29 February)
    rnd = random.Random(seed)  # noqa: S311 - synthetic data, reproducible from its seed
    region = region_people.Region(start=start, today=today)
    checks = _prepare_connection()
    say(f"  foreign keys checked {'row by row' if checks else 'by the generator only (superuser: replica role)'}")
    timings: dict[str, tuple[int, float]] = {}
    began = time.perf_counter()
    region_people.organisations(region, rnd)
    timings["organisations (ORM)"] = (len(region.district_ids), time.perf_counter() - began)
    people: dict = {}
    began = time.perf_counter()
    region_people.people(region, rnd, mediators=mediators, tables=people)
    region_people.report_jobs(region)
    say(f"  people and mediators: {time.perf_counter() - began:.1f} s")
    tables = region_life.tables_of_life()
    began = time.perf_counter()
    copier = Copier(tables, _prepare_connection)
    try:
        region_life.live(region, rnd, total=requests, now=now, chunk=chunk, tables=tables, copier=copier, say=say)
    finally:
        copier.close()
    cpu = f", database CPU {copier.backend_cpu:.0f} s" if copier.backend_cpu else ""
    elapsed = time.perf_counter() - began
    say(f"  requests and their lives: {elapsed:.1f} s (Python CPU {time.process_time():.0f} s{cpu})")
    for table in [*people.values(), *tables.values()]:
        table.reset_sequence()
        timings[table.name] = (table.count, table.seconds)
    began = time.perf_counter()
    hooked = _after_fill()
    if hooked:
        timings[f"after fill: {', '.join(hooked)}"] = (0, time.perf_counter() - began)
    return timings


def _prepare_connection() -> bool:
    """The session of a bulk load: commits need not wait for the disk. Outside a transaction, as a superuser, the
    replica role skips the foreign keys' row-by-row triggers (a third of the time): constraints, indexes and the
    exclusion constraint all still hold, and tests/test_bench_region.py runs the same generator with every check
    on. Returns whether the foreign keys are checked row by row."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        if connection.in_atomic_block:
            return True
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SET session_replication_role = replica")
    return False


def _after_fill() -> list[str]:
    """What the services keep up to date and a COPY goes around: the monthly aggregates of reporting and the request
    lists' language menus and the mediators' ratings, rebuilt here from the rows as the nightly rebuilds do. (The
    unread counts live in the cache, filled by the first page.)"""
    from reporting.services import aggregates_rebuild
    from requests_app.services import office_languages_rebuild
    from sessions_app.services import ratings_rebuild

    aggregates_rebuild()
    office_languages_rebuild()
    ratings_rebuild()
    return [
        "reporting.services.aggregates_rebuild",
        "requests_app.services.office_languages_rebuild",
        "sessions_app.services.ratings_rebuild",
    ]


def analyse(say=print) -> None:
    """Fresh statistics and visibility maps, as autovacuum would leave them after a day (outside a transaction)."""
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    say(f"  VACUUM (ANALYZE): {time.perf_counter() - began:.1f} s")


def print_timings(timings: dict, say=print) -> None:
    say(f"\n  {'table':<40} {'rows':>11} {'seconds':>8}")
    total_rows = 0
    for name, (rows, seconds) in timings.items():
        total_rows += rows
        say(f"  {name:<40} {rows:>11,} {seconds:>8.1f}")
    say(f"  {'total':<40} {total_rows:>11,}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--mediators", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=17)
    options = parser.parse_args(argv)
    from django.core.management import call_command

    try:
        check_database()
    except RefusedDatabase as exc:
        print(exc, file=sys.stderr)
        return 2
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Filling {connection.settings_dict['NAME']}: {options.requests:,} requests, {options.mediators:,} mediators")
    timings = fill(requests=options.requests, mediators=options.mediators, seed=options.seed)
    analyse()
    print_timings(timings)
    print(f"\nFilled in {time.perf_counter() - began:.0f} s (migrations and VACUUM ANALYZE included).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
