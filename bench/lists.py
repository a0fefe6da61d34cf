"""Benchmark: the list pages at a region's scale (issue #17). PostgreSQL only: point DATABASE_URL at a throwaway
database.

    createdb -h 127.0.0.1 -U postgres lists_scale
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lists_scale .venv/bin/python bench/lists.py
    DATABASE_URL=… BENCH_REUSE=1 .venv/bin/python bench/lists.py        # measure again without refilling

It fills the database with `manage.py reporting_scale`: one province-year of 50,000 requests ("grande") and
BENCH_PROVINCES (5) more of 20,000 each, then adds BENCH_MEDIATORS (10,000) mediators serving the districts (1–2
each, three languages), and moves the requests along their life (most of the old ones closed or evaluated, the last
month's still being worked on, a few urgent). Then, as the social worker, the coordinator and the province staff of
"grande" (and a mediator), it opens each list page: the first page, a page in the middle (numbered pages) or the
one before the last (keyset pages), and the last one, and prints the median time of the view (5 runs), its number
of queries and the time of its slowest query as EXPLAIN ANALYZE measures it. The plans are written to BENCH_PLANS
(/tmp/lists-plans), one file a page; a sequential scan of a table of more than 10,000 rows is flagged.

The bar (issue #17): the last page of a list costs at most twice the first.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediazione.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PROVINCES = int(os.environ.get("BENCH_PROVINCES", "5"))
MEDIATORS = int(os.environ.get("BENCH_MEDIATORS", "10000"))
REPEAT = 5
PLANS = Path(os.environ.get("BENCH_PLANS") or Path(tempfile.gettempdir()) / "lists-plans")
LANGUAGES = ["ara", "fra", "eng", "urd", "pan", "hin", "ben", "zho", "rus", "ukr", "sqi", "ron", "spa", "wol", "tir"]
BIG_TABLES = 10_000
LIST_TABLES = ('SELECT "requests_app_mediationrequest"."id"', 'SELECT "mediators_mediator"."id"')


def _scale(province: str, year: int, requests: int) -> None:
    subprocess.run(  # noqa: S603 - this repository's own command
        [sys.executable, str(ROOT / "manage.py"), "reporting_scale", "--province", province, "--year", str(year),
         "--requests", str(requests)],
        check=True,
    )  # fmt: skip


def fill() -> None:
    from accounts.models import District, Membership, Provider, Province, Role, User
    from mediators.models import Mediator, MediatorLanguage

    start = time.perf_counter()
    if not Province.objects.filter(slug="grande").exists():  # already there: the requests of an interrupted fill
        # At most ~54,000 requests a province-year: reporting_scale books 150 mediators, fewer than a day's requests.
        _scale("grande", 2025, 50_000)
        for n in range(1, PROVINCES + 1):
            _scale(f"p{n}", 2025 - n, 20_000)
        print(f"reporting_scale: {time.perf_counter() - start:.0f} s")
    providers = list(Provider.objects.select_related("province"))
    districts = {p.pk: list(District.objects.filter(province=p.province).order_by("pk")) for p in providers}
    rows = []
    for i in range(MEDIATORS):
        provider = providers[i % len(providers)]
        rows.append(
            Mediator(
                provider=provider,
                first_name=f"Nome{i}",
                last_name=f"Elenco{i:05d}",
                gender=["female", "male"][i % 2],
                email=f"elenco{i}@example.org",
                exp_child_protection=i % 3 == 0,
                mode_video=i % 4 == 0,
                is_active=i % 10 != 0,
            )
        )
    created = Mediator.objects.bulk_create(rows, batch_size=2000)
    through = Mediator.districts.through
    links, languages = [], []
    for i, mediator in enumerate(created):
        own = districts[mediator.provider_id]
        for district in {own[i % len(own)].pk, own[(i // 7) % len(own)].pk}:
            links.append(through(mediator_id=mediator.pk, district_id=district))
        for j in range(3):
            languages.append(MediatorLanguage(mediator=mediator, code=LANGUAGES[(i + j * 5) % len(LANGUAGES)]))
    through.objects.bulk_create(links, batch_size=5000)
    MediatorLanguage.objects.bulk_create(languages, batch_size=5000)
    # reporting_scale's own 150 mediators a province serve its districts too, and one of them has an account.
    for provider in providers:
        own = districts[provider.pk]
        for n, mediator in enumerate(Mediator.objects.filter(provider=provider, email__contains=".example.org")):
            mediator.districts.add(own[n % len(own)])
    grande = Mediator.objects.filter(provider__province__slug="grande", email__startswith="mediatore0@").get()
    user = User.objects.create_user(email="scala.mediatore@grande.example.org")
    grande.user = user
    grande.save(update_fields=["user"])
    Membership.objects.create(user=user, role=Role.MEDIATOR, provider=grande.provider)
    user.memberships.get().districts.set(grande.districts.all())
    with connection.cursor() as cursor:
        # The life of the requests: old ones mostly closed or evaluated, the last month's still being worked on.
        cursor.execute(
            """
            UPDATE requests_app_mediationrequest r SET status = CASE
                WHEN r.submitted_at > (SELECT max(submitted_at) FROM requests_app_mediationrequest m
                                       WHERE m.office_id = r.office_id) - interval '30 days'
                     THEN (ARRAY['matching', 'assigned', 'scheduled'])[1 + r.id % 3]
                WHEN r.id % 10 < 6 THEN 'closed'
                WHEN r.id % 10 < 8 THEN 'evaluated'
                ELSE 'completed' END
            WHERE r.status = 'completed'
            """
        )
        cursor.execute(
            """
            UPDATE requests_app_mediationrequest SET urgency = 'urgent',
                deadline = (submitted_at + interval '10 days')::date
            WHERE status IN ('submitted', 'matching') AND id % 5 = 0
            """
        )
        cursor.execute(
            """
            UPDATE requests_app_mediationrequest SET deadline = (submitted_at + interval '60 days')::date
            WHERE urgency = 'ordinary' AND id % 9 = 0
            """
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"filled in {time.perf_counter() - start:.0f} s")


def _explain(sql: str, label: str) -> tuple[float, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    PLANS.mkdir(parents=True, exist_ok=True)
    (PLANS / (re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") + ".txt")).write_text(sql + "\n\n" + "\n".join(plan))
    total = float(re.search(r"Execution Time: ([\d.]+)", plan[-1]).group(1))
    big = _big_tables()
    seq = sorted({m for line in plan for m in re.findall(r"Seq Scan on (\w+)", line) if m in big})
    return total, seq


_BIG: set[str] = set()


def _big_tables() -> set[str]:
    if not _BIG:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [BIG_TABLES])
            _BIG.update(row[0] for row in cursor.fetchall())
    return _BIG


def measure(client: Client, url: str, label: str) -> tuple:
    timings = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: answered {response.status_code}")
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # The list's own query: the one that reads a page of its table (LIMIT); else the page's slowest.
    pages = [sql for sql in selects if sql.startswith(LIST_TABLES) and " LIMIT " in sql]
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]) if q["sql"].startswith("SELECT") else -1)
    main_ms, seq = _explain(pages[0] if pages else slowest["sql"], label)
    counts = [sql for sql in selects if sql.startswith("SELECT COUNT(*) FROM (SELECT")]
    count_ms = _explain(counts[0], label + " count")[0] if counts else 0.0
    return statistics.median(timings), len(queries.captured_queries), main_ms, count_ms, seq, response


def _pages(response, url: str) -> dict[str, str]:
    """The addresses of a page in the middle and of the last page, whichever pager the list has."""
    page = response.context["page"]
    base, _, query = url.partition("?")
    pages = {}
    if hasattr(page, "paginator") and hasattr(page.paginator, "num_pages"):  # numbered pages
        params = dict(p.split("=", 1) for p in query.split("&") if p)
        for name, number in (("middle", page.paginator.num_pages // 2), ("last", page.paginator.num_pages)):
            if number > 1:
                pages[name] = base + "?" + urlencode({**params, "page": number})
        return pages
    if page.last_url:
        pages["last"] = base + page.last_url
    return pages


def main() -> int:
    if connection.vendor != "postgresql":
        raise SystemExit("bench/lists.py reads PostgreSQL plans: set DATABASE_URL to a throwaway PostgreSQL database.")
    call_command("migrate", verbosity=0)
    from accounts.models import User

    if not os.environ.get("BENCH_REUSE"):
        fill()
    setup_test_environment()
    settings.DEBUG = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM requests_app_mediationrequest")
        requests = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM mediators_mediator")
        mediators = cursor.fetchone()[0]
    print(f"PostgreSQL: {requests:,} requests, {mediators:,} mediators · load average {os.getloadavg()[0]:.1f}\n")
    lists = {
        "social_worker": ["/richieste/", "/richieste/?language=ara", "/resoconti/"],
        "coordinator": [
            "/richieste/",
            "/richieste/?status=",
            "/richieste/?language=ara",
            "/mediatori/",
            "/mediatori/?language=ara",
            "/resoconti/",
            "/fogli-ore/ambito/?mese=2025-06",
        ],
        "province_staff": ["/richieste/", "/richieste/?status=submitted", "/mediatori/", "/resoconti/"],
        "mediator": ["/offerte/", "/resoconti/", "/fogli-ore/miei/?mese=2025-06"],
    }
    emails = {
        "social_worker": "scala.assistente@grande.example.org",
        "coordinator": "scala.coordinatore@grande.example.org",
        "province_staff": "scala.provincia@grande.example.org",
        "mediator": "scala.mediatore@grande.example.org",
    }
    worst = worst_sql = 0.0
    print(f"{'page':58} {'view ms':>8} {'queries':>7} {'list SQL':>9} {'count':>7}  seq scans")
    for role, urls in lists.items():
        client = Client()
        client.force_login(User.objects.get(email=emails[role]))
        for url in urls:
            label = f"{role} {url}"
            first = measure(client, url, label)
            rows = [("first", url, first)]
            if "page" in (first[-1].context or {}):
                for name, address in _pages(first[-1], url).items():
                    rows.append((name, address, measure(client, address, f"{label} {name}")))
                    page = rows[-1][2][-1].context["page"]
                    if name == "last" and getattr(page, "previous_url", ""):
                        # Keyset pages: the page before the last one, found by its position (?prima=…).
                        deep = url.partition("?")[0] + page.previous_url
                        rows.insert(-1, ("before last", deep, measure(client, deep, f"{label} before-last")))
            for name, _address, (view_ms, queries, sql_ms, count_ms, seq, _response) in rows:
                print(
                    f"{label + ' · ' + name:58} {view_ms:8.1f} {queries:7d} {sql_ms:9.2f} {count_ms:7.2f}  "
                    f"{', '.join(seq)}"
                )
            last = [r for r in rows if r[0] == "last"]
            if last:
                worst = max(worst, last[0][2][0] / first[0])
                # The list's query, counted from 1 ms (below it, a page costs nothing a person could notice).
                worst_sql = max(worst_sql, max(last[0][2][2], 1.0) / max(first[2], 1.0))
    print(
        f"\nLoad average {os.getloadavg()[0]:.1f}. Worst last page / first page: {worst:.2f} for the view, "
        f"{worst_sql:.2f} for the list's query (bar: 2.0)"
    )
    print(f"Plans in {PLANS}")
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
