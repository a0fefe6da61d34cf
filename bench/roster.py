"""Benchmark: the roster at 5,000 mediators. `make bench` runs it on a fresh SQLite file (or on DATABASE_URL).

It fills a throwaway database with 5,000 mediators (3 languages each, 1–2 districts, weekly slots, some absences),
then times the roster page as province staff and as a coordinator, with the filters a coordinator uses, and prints
the median time and the number of queries of each. The bar: every page under 300 ms on a developer machine.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediazione.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

MEDIATORS = int(os.environ.get("BENCH_MEDIATORS", "5000"))
REPEAT = 7
LANGUAGES = ["ara", "fra", "eng", "urd", "pan", "hin", "ben", "zho", "rus", "ukr", "sqi", "ron", "spa", "wol", "tir"]
VARIANTS = {"ara": ["Darija marocchina", "egiziano", "tunisino"], "zho": ["Wenzhounese", "mandarino"]}


def fill():
    from accounts import demo
    from accounts.models import District
    from mediators.models import Absence, AvailabilitySlot, Mediator, MediatorLanguage

    built = demo.build()
    districts = list(District.objects.select_related("province"))
    providers = built["providers"]
    mediators = []
    for i in range(MEDIATORS):
        province = "cremona" if i % 2 else "bergamo"
        mediators.append(
            Mediator(
                provider=providers[province],
                first_name=f"Nome{i}",
                last_name=f"Cognome{i:05d}",
                gender=["female", "male"][i % 2],
                email=f"bench{i}@example.org",
                exp_child_protection=i % 3 == 0,
                mode_video=i % 4 == 0,
                is_active=i % 10 != 0,
            )
        )
    Mediator.objects.bulk_create(mediators, batch_size=1000)
    mediators = list(Mediator.objects.select_related("provider"))
    through = Mediator.districts.through
    links, languages, slots, absences = [], [], [], []
    for i, mediator in enumerate(mediators):
        own = [d for d in districts if d.province_id == mediator.provider.province_id]
        for d in {own[i % len(own)].pk, own[(i // 7) % len(own)].pk}:
            links.append(through(mediator_id=mediator.pk, district_id=d))
        for j in range(3):
            code = LANGUAGES[(i + j * 5) % len(LANGUAGES)]
            variant = VARIANTS.get(code, [""])[i % len(VARIANTS.get(code, [""]))]
            languages.append(MediatorLanguage(mediator=mediator, code=code, variant=variant))
        slots.append(AvailabilitySlot(mediator=mediator, weekday=i % 5, start_time="09:00", end_time="13:00"))
        if i % 9 == 0:
            absences.append(Absence(mediator=mediator, start_date="2026-01-01", end_date="2026-01-31"))
    through.objects.bulk_create(links, batch_size=2000)
    MediatorLanguage.objects.bulk_create(languages, batch_size=2000)
    AvailabilitySlot.objects.bulk_create(slots, batch_size=2000)
    Absence.objects.bulk_create(absences, batch_size=2000)
    if connection.vendor == "postgresql":
        # As autovacuum would after a bulk load: fresh statistics for the planner.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(client, url):
    timings = []
    queries = 0
    for _ in range(REPEAT):
        reset_queries()
        start = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            body = b"".join(response.streaming_content)
            if body.count(b"\n") < 2:
                raise SystemExit(f"{url}: the export is empty")
        timings.append((time.perf_counter() - start) * 1000)
        queries = len(connection.queries)
        if response.status_code != 200:
            raise SystemExit(f"{url}: answered {response.status_code}")
    return statistics.median(timings), queries


def main():
    print(f"Database: {settings.DATABASES['default']['ENGINE']} · {MEDIATORS} mediators")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    fill()
    print(f"Filled in {time.perf_counter() - start:.1f} s")
    setup_test_environment()
    settings.DEBUG = True  # record queries
    from accounts.models import District, User

    cremona = District.objects.get(name="Cremona").pk
    pages = [
        ("/mediatori/", "whole roster, first page"),
        ("/mediatori/?page=150", "whole roster, page 150"),
        ("/mediatori/?ordering=-updated", "sorted by last change"),
        (f"/mediatori/?language=ara&district={cremona}", "Arabic in the district of Cremona"),
        ("/mediatori/?language=ara&variant=darija", "Arabic, variant Darija"),
        ("/mediatori/?setting=child_protection&gender=female&mode=video&active=yes", "four filters"),
        ("/mediatori/?available_on=2026-01-12", "available on a Monday in an absence month"),
        ("/mediatori/?q=Cognome0421", "search by name"),
    ]
    worst = 0.0
    for who in ("provincia.cremona", "coordinatore.cremona"):
        client = Client()
        client.force_login(User.objects.get(email=f"{who}@example.org"))
        print(f"\n{who}")
        for url, label in pages:
            median, queries = measure(client, url)
            worst = max(worst, median)
            print(f"  {median:7.1f} ms  {queries:3d} queries  {label}")
            if os.environ.get("BENCH_VERBOSE"):
                for q in sorted(connection.queries, key=lambda q: -float(q["time"]))[:3]:
                    print(f"        {float(q['time']) * 1000:6.1f} ms  {q['sql'][:160]}")
        median, queries = measure(client, "/mediatori/esporta.csv")
        print(f"  {median:7.1f} ms  {queries:3d} queries  CSV export of the whole visible roster")
    print(f"\nSlowest page: {worst:.1f} ms (bar: 300 ms)")
    return 0 if worst < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
