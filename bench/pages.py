# ruff: noqa: S603 - starts this repository's own gunicorn
"""Benchmark: every list and detail page of every role on a region of a million requests, against bare SQL.

    createdb -h 127.0.0.1 -U postgres bench_region
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_region .venv/bin/python bench/pages.py

1. Fills the (empty, PostgreSQL) database with bench/region.py: BENCH_REQUESTS requests (1,000,000) and
   BENCH_MEDIATORS mediators (10,000). BENCH_REUSE=1 measures a region filled before.
2. In-process, for each page of bench/catalogue.py as its role: the status, the SQL of every query (the biggest one
   is the page's main query: EXPLAIN (ANALYZE, BUFFERS), plans in var/bench/region-plans.txt), a plain EXPLAIN of
   every other query to find a Seq Scan on a table of more than 10,000 rows, and the address of the last page of a
   paginated list (its "page N of M", a link to the last page, or the 20th page following "next").
3. gunicorn with 2 workers, DEBUG off (bench.settings: the portal's URLs plus bare-SQL views, bench/bare.py, and
   an X-Queries header): BENCH_CLIENTS clients (4) logged in as the page's role, each with its own session and
   keep-alive, send BENCH_ROUND_REQUESTS requests (16) to the page, then as many to its bare view, for BENCH_ROUNDS
   alternating rounds (5; a round sends nothing new after BENCH_ROUND_SECONDS, 6), the load average printed beside
   each, after a first round of each that is not counted (it warms both workers). Then the page alone (one client,
   3 requests) and its last page.
4. Writes the table into docs/performance.md (between its region-bench markers) and exits 1 when a bar is missed:
   list and detail pages at least 1/3 of their bare view's throughput with a p95 at most 3x the bare one's, at most
   8 queries per page, a last page at most 2x the first, no Seq Scan on a table over 10,000 rows, the dashboard of a
   province-year within 1 s alone. BENCH_PAGES=word,word measures only the pages whose role or name holds one of
   the words (and leaves the docs alone, as BENCH_DOCS=0 does).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import platform
import re
import shlex
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import region  # noqa: E402
from bench.catalogue import Page, find_world, pages  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
# 16 requests a round: 80 of each side, so that a p95 is the fifth slowest, not the second or third of 40, which a
# single stall of a shared machine (a neighbour's burst during one round) decided.
ROUND_REQUESTS = int(os.environ.get("BENCH_ROUND_REQUESTS", "16"))
# A round stops sending new requests after this many seconds (each client sends one at least): slow pages of a
# million requests would otherwise hold the run for hours.
ROUND_SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", "6"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
BIG_TABLE = 10_000
BARS = {"throughput": 1 / 3, "p95": 3.0, "queries": 8, "last_page": 2.0, "dashboard_ms": 1000.0}
DOCS = ROOT / "docs" / "performance.md"
PLANS = ROOT / "var" / "bench" / "region-plans.txt"
BEGIN, END = "<!-- region-bench:begin -->", "<!-- region-bench:end -->"


# --- In-process: queries, plans, the last page ------------------------------------------------------------------------


def table_sizes() -> dict[str, float]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                       "'public'::regnamespace")  # fmt: skip
        return dict(cursor.fetchall())


def _seq_scans(plan: dict, sizes: dict[str, float]) -> set[str]:
    found = set()
    if plan.get("Node Type") == "Seq Scan" and sizes.get(plan.get("Relation Name", ""), 0) > BIG_TABLE:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found |= _seq_scans(child, sizes)
    return found


def explain(queries: list[dict], sizes: dict[str, float]) -> tuple[set[str], dict]:
    """Seq Scans on big tables in the plan of any SELECT of the page; EXPLAIN (ANALYZE, BUFFERS) of the slowest."""
    scans: set[str] = set()
    selects = [q for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    with connection.cursor() as cursor:
        for query in selects:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {query['sql']}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            scans |= _seq_scans(plan[0]["Plan"], sizes)
        main = {"sql": "", "ms": 0.0, "plan": ""}
        if selects:
            slowest = max(selects, key=lambda q: float(q["time"]))
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found = re.search(r"Execution Time: ([\d.]+) ms", plan)
            main = {"sql": slowest["sql"], "ms": float(found.group(1)) if found else 0.0, "plan": plan}
    return scans, main


_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
_HREF = re.compile(r'\bhref="([^"]*)"')


def _links(html: str, path: str) -> list[tuple[str, str]]:
    """(address, the tag's attributes and text) of every link of the page, addresses made absolute."""
    links = []
    for attributes, text in _LINK.findall(html):
        href = _HREF.search(attributes)
        if href:
            address = unescape(href.group(1))
            links.append((address if address.startswith("/") else path + address, attributes + text))
    return links


def last_page_url(page: Page, html: str, client: Client) -> str | None:
    """The last page of a list: a link to it (rel="last", "Last page"), a "page N of M" beside ?page= links, or else
    the 20th page following the "next" links (a keyset pagination without a way to its end)."""
    path = page.url.split("?")[0]
    links = _links(html, path)
    for address, tag in links:
        if 'rel="last"' in tag or re.search(r"Last page|Ultima pagina", tag):
            return address
    numbered = [address for address, _tag in links if re.search(r"[?&]page=\d+", address)]
    total = re.search(r"(?:Page|Pagina) \d+ (?:of|di) ([\d.,]+)", html)
    if numbered and total:
        last = re.sub(r"\D", "", total.group(1))
        return re.sub(r"([?&]page=)\d+", rf"\g<1>{last}", numbered[-1])
    url = page.url
    for _ in range(19):
        following = [a for a, tag in _links(html, path) if re.search(r'rel="next"|Next page|Pagina successiva', tag)]
        if not following:
            break
        url = following[0]
        html = client.get(url).content.decode()
    return url if url != page.url else None


def inspect(page: Page, client: Client, sizes: dict[str, float]) -> dict:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
    queries = list(captured.captured_queries)
    result = {"status": response.status_code, "in_process_queries": len(queries), "last_url": None}
    if response.status_code != 200:
        return result
    result["seq_scans"], result["main"] = explain(queries, sizes)
    if page.paginated:
        result["last_url"] = last_page_url(page, response.content.decode(), client)
    return result


# --- Over HTTP: gunicorn, sessions, rounds ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "mediazione.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--timeout", "600", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/health/", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not answer /health/ within a minute")


def sessions_for(user, base: str) -> list[requests.Session]:
    """CLIENTS sessions of ``user``: each its own Django session, made the way login() makes one."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    result = []
    for _ in range(CLIENTS):
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        session = requests.Session()
        session.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key, domain="127.0.0.1")
        if session.get(f"{base}/", allow_redirects=False).status_code == 302:
            session = login_form(user, base)
        result.append(session)
    return result


def login_form(user, base: str) -> requests.Session:
    """When sessions made here do not reach gunicorn (a per-process session store): log in through the form."""
    session = requests.Session()
    html = session.get(f"{base}/accounts/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    session.post(
        f"{base}/accounts/login/",
        data={"login": user.email, "password": region.region_people.PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    return session


def burst(base: str, url: str, sessions: list[requests.Session], count: int) -> tuple[list[float], float, list[int]]:
    """Up to ``count`` requests of ``url`` spread over the sessions, each its own thread (none started after
    ROUND_SECONDS but each session's first): latencies, throughput (requests done over the wall time), queries."""
    latencies: list[float] = []
    queries: list[int] = []
    failures: list[str] = []
    tickets = itertools.count()
    deadline = time.perf_counter() + ROUND_SECONDS

    def client(session):
        first = True
        while next(tickets) < count and (first or time.perf_counter() < deadline):
            first = False
            began = time.perf_counter()
            response = session.get(base + url, allow_redirects=False)
            latencies.append(time.perf_counter() - began)
            queries.append(int(response.headers.get("X-Queries", "-1")))
            if response.status_code != 200:
                failures.append(f"{url} answered {response.status_code}")

    threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if failures:
        raise SystemExit(failures[0])
    return latencies, len(latencies) / wall, queries


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(page: Page, base: str, sessions: list[requests.Session], found: dict) -> dict:
    # A round of each, not counted, warms both workers: a worker's first request of a page fills what the process
    # keeps (the compiled SQL of a detail page's lists, a filter's menu, the cache's entries) and is 3-5 times slower
    # than the next ones (the province's roster: 100 ms, then 18-25 ms, in-process); one request per client did not
    # always reach both workers, and the first round of a page was then its slowest (its p95 with it).
    burst(base, page.url, sessions, ROUND_REQUESTS)
    if page.bare_url:
        burst(base, page.bare_url, sessions, ROUND_REQUESTS)
    page_lat, bare_lat, page_tput, bare_tput, queries = [], [], [], [], []
    for number in range(1, ROUNDS + 1):
        latencies, throughput, counted = burst(base, page.url, sessions, ROUND_REQUESTS)
        page_lat += latencies
        page_tput.append(throughput)
        queries += counted
        line = f"    round {number}: page {throughput:6.2f}/s p50 {statistics.median(latencies) * 1000:7.0f} ms"
        if page.bare_url:
            latencies, throughput, _ = burst(base, page.bare_url, sessions, ROUND_REQUESTS)
            bare_lat += latencies
            bare_tput.append(throughput)
            line += f" | bare {throughput:6.2f}/s p50 {statistics.median(latencies) * 1000:6.0f} ms"
        print(f"{line} | load {os.getloadavg()[0]:.1f}", flush=True)
    result = {
        "queries": int(statistics.median(queries)),
        "median_ms": statistics.median(page_lat) * 1000,
        "p95_ms": p95(page_lat) * 1000,
        "throughput": statistics.median(page_tput),
        "load": os.getloadavg()[0],
    }
    if page.bare_url:
        result["throughput_ratio"] = result["throughput"] / statistics.median(bare_tput)
        result["p95_ratio"] = p95(page_lat) / p95(bare_lat)
        result["bare_median_ms"] = statistics.median(bare_lat) * 1000
    # One client alone (no request waiting for a worker): the page's own time; the last page's beside it.
    first, last = [], []
    for _ in range(3):
        first += burst(base, page.url, sessions[:1], 1)[0]
        if found.get("last_url"):
            last += burst(base, found["last_url"], sessions[:1], 1)[0]
    result["alone_ms"] = statistics.median(first) * 1000
    if last:
        result["last_ratio"] = statistics.median(last) / statistics.median(first)
        result["last_ms"] = statistics.median(last) * 1000
    return result


# --- The bars, the table, the docs ------------------------------------------------------------------------------------


def misses(page: Page, found: dict, measured: dict) -> list[str]:
    missed = []
    if measured["queries"] > BARS["queries"]:
        missed.append(f"{measured['queries']} queries")
    if page.kind in ("list", "detail") and "throughput_ratio" in measured:
        if measured["throughput_ratio"] < BARS["throughput"]:
            missed.append(f"throughput {measured['throughput_ratio']:.2f} of bare")
        if measured["p95_ratio"] > BARS["p95"]:
            missed.append(f"p95 {measured['p95_ratio']:.1f}x bare")
    if measured.get("last_ratio", 0) > BARS["last_page"]:
        missed.append(f"last page {measured['last_ratio']:.1f}x first")
    if found.get("seq_scans"):
        missed.append("Seq Scan on " + ", ".join(sorted(found["seq_scans"])))
    if "province-year" in page.name and measured["alone_ms"] > BARS["dashboard_ms"]:
        missed.append(f"dashboard {measured['alone_ms'] / 1000:.1f} s")
    return missed


def table(rows: list[tuple[Page, dict, dict, list[str]]]) -> str:
    lines = [
        "| role | page | queries | alone | median | p95 | throughput vs bare | p95 vs bare | last page vs first | "
        "main query | bars |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page, found, measured, missed in rows:
        ratio = f"{measured['throughput_ratio']:.2f}" if "throughput_ratio" in measured else "—"
        p95_ratio = f"{measured['p95_ratio']:.1f}×" if "p95_ratio" in measured else "—"
        last = f"{measured['last_ratio']:.1f}×" if "last_ratio" in measured else "—"
        lines.append(
            f"| {page.role.replace('_', ' ')} | {page.name} | {measured['queries']} | {measured['alone_ms']:,.0f} ms "
            f"| {measured['median_ms']:,.0f} ms "
            f"| {measured['p95_ms']:,.0f} ms | {ratio} | {p95_ratio} | {last} | {found['main']['ms']:,.1f} ms "
            f"| {'; '.join(missed) if missed else 'met'} |"
        )
    return "\n".join(lines)


def counts() -> dict[str, int]:
    from mediators.models import Mediator
    from requests_app.models import MediationRequest
    from scheduling.models import Appointment
    from sessions_app.models import SessionReport
    from timesheets.models import Timesheet

    return {
        "requests": MediationRequest.objects.count(),
        "appointments": Appointment.objects.count(),
        "session reports": SessionReport.objects.count(),
        "timesheets": Timesheet.objects.count(),
        "mediators": Mediator.objects.count(),
    }


def write_docs(text: str) -> None:
    current = DOCS.read_text()
    section = f"{BEGIN}\n{text.strip()}\n{END}"
    if BEGIN in current and END in current:
        current = current[: current.index(BEGIN)] + section + current[current.index(END) + len(END) :]
    else:
        current = current.rstrip() + "\n\n" + section + "\n"
    DOCS.write_text(current)


def report(rows, *, filled: str, started: dt.datetime, this_run: str) -> str:
    import django

    scale = ", ".join(f"{value:,} {name}" for name, value in counts().items())
    loads = [measured["load"] for _page, _found, measured, _missed in rows]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    missed = sum(1 for *_rest, m in rows if m)
    by_bar = {
        "more than 8 queries": sum(1 for *_r, m in rows if any(x.endswith(" queries") for x in m)),
        "throughput under ⅓ of bare": sum(1 for *_r, m in rows if any(x.startswith("throughput") for x in m)),
        "p95 over 3× bare": sum(1 for *_r, m in rows if any(x.startswith("p95") for x in m)),
        "last page over 2× the first": sum(1 for *_r, m in rows if any(x.startswith("last page") for x in m)),
        "a Seq Scan on a big table": sum(1 for *_r, m in rows if any(x.startswith("Seq Scan") for x in m)),
    }
    per_bar = "; ".join(f"{count} {bar}" for bar, count in by_bar.items())
    about = textwrap.fill(
        f"""Measured on {started:%-d %B %Y} by `bench/pages.py`: {scale}; {filled}.
{os.cpu_count()} CPUs, Python {platform.python_version()}, Django {django.get_version()}, PostgreSQL {server};
gunicorn with 2 workers, DEBUG off; {CLIENTS} clients with their own sessions; {ROUNDS} alternating rounds of
{ROUND_REQUESTS} requests to the page and to its bare-SQL view, after one of each not counted (it warms both
workers); load average {min(loads):.1f}–{max(loads):.1f}
during the rounds (a round stops sending after {ROUND_SECONDS:.0f} s). "Alone": median of 3 requests of one client,
the page's own time (the dashboard's bar); median and p95: every request of the rounds, a request waiting while
both workers are busy; throughput: requests per second of a round, the median of the rounds, over the bare view's;
last page against first: medians of 3 requests each, one client; "main query": execution time of the page's
slowest query under EXPLAIN (ANALYZE, BUFFERS), run in-process before the rounds. Bars: list and detail pages ≥ ⅓
of their bare view's throughput with a p95 ≤ 3× bare; ≤ 8 queries; last page ≤ 2× the first; no Seq Scan on a
table over 10,000 rows; the province-year dashboard ≤ 1 s alone. **{missed} of {len(rows)} pages miss a bar**:
{per_bar}.""",
        width=118,
        break_on_hyphens=False,
    )
    return f"""## The pages, measured

{about}

```bash
createdb -h 127.0.0.1 -U postgres bench_region                 # an empty database: it is filled with a region
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_region
make bench                                                     # every bench; this one fills 1,000,000 requests
BENCH_REUSE=1 .venv/bin/python bench/pages.py                  # measure the same region again
# This table: {this_run}
```

{table(rows)}
"""


def this_run() -> str:
    """The command that made this table, with the variables that changed it."""
    names = ["BENCH_REUSE", "BENCH_REQUESTS", "BENCH_MEDIATORS", "BENCH_PAGES", "BENCH_ROUNDS", "BENCH_ROUND_REQUESTS",
             "BENCH_ROUND_SECONDS", "BENCH_CLIENTS"]  # fmt: skip
    variables = " ".join(f"{name}={shlex.quote(os.environ[name])}" for name in names if os.environ.get(name))
    return f"{variables} .venv/bin/python bench/pages.py".strip()


def main(argv: list[str]) -> int:
    started = dt.datetime.now()
    reuse = bool(os.environ.get("BENCH_REUSE"))
    try:
        region.check_database(reuse=reuse)
    except region.RefusedDatabase as exc:
        print(exc, file=sys.stderr)
        return 2
    if "--check" in argv:
        return 0  # make bench: the database is fit, before the other benches take their time
    if reuse:
        filled = "a region filled before (BENCH_REUSE=1)"
    else:
        from django.core.management import call_command

        total = int(os.environ.get("BENCH_REQUESTS", "1000000"))
        mediators = int(os.environ.get("BENCH_MEDIATORS", "10000"))
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"Filling {connection.settings_dict['NAME']}: {total:,} requests, {mediators:,} mediators", flush=True)
        timings = region.fill(requests=total, mediators=mediators)
        region.analyse()
        region.print_timings(timings)
        filled = f"filled by bench/region.py in {time.perf_counter() - began:.0f} s (migrations and VACUUM included)"
        print(f"\n{filled}", flush=True)
    # The bench's own Redis database (bench.settings): nothing kept from an earlier run or an earlier region (the
    # cached menus, roles and sessions are computed again, as after a deployment).
    from django.core.cache import caches

    for alias in ("default", "shared"):
        caches[alias].clear()
    world = find_world()
    wanted = [word.strip() for word in os.environ.get("BENCH_PAGES", "").lower().split(",") if word.strip()]
    catalogue = [p for p in pages(world) if not wanted or any(w in f"{p.role} {p.name}".lower() for w in wanted)]
    if not catalogue:
        # BENCH_PAGES naming no page: the region is filled (or was), nothing to measure.
        print(f"No page's role or name holds any of {wanted}: nothing measured.")
        return 0
    sizes = table_sizes()
    clients: dict[str, Client] = {}
    found: dict[str, dict] = {}
    print(f"\nIn-process: status, queries, plans of {len(catalogue)} pages", flush=True)
    PLANS.parent.mkdir(parents=True, exist_ok=True)
    with PLANS.open("w") as plans:
        for page in catalogue:
            if page.role not in clients:
                clients[page.role] = Client()
                clients[page.role].force_login(world.users[page.role])
            found[page.url + page.role] = result = inspect(page, clients[page.role], sizes)
            if result["status"] != 200:
                print(f"  {page.role} {page.name}: {page.url} answered {result['status']}", file=sys.stderr)
                return 1
            main_query = result["main"]
            plans.write(f"=== {page.role} · {page.name} · {page.url}\n{main_query['sql']}\n\n{main_query['plan']}\n\n")
            scans = ", ".join(sorted(result["seq_scans"])) or "none"
            last = f" · last page {result['last_url']}" if result["last_url"] else ""
            print(f"  {page.role:<15} {page.name:<45} main query {main_query['ms']:8.1f} ms · Seq Scan: {scans}{last}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port)
    rows = []
    try:
        sessions = {role: sessions_for(world.users[role], base) for role in {p.role for p in catalogue}}
        for page in catalogue:
            print(f"  {page.role} · {page.name} · {page.url}", flush=True)
            measured = measure(page, base, sessions[page.role], found[page.url + page.role])
            missed = misses(page, found[page.url + page.role], measured)
            rows.append((page, found[page.url + page.role], measured, missed))
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = report(rows, filled=filled, started=started, this_run=this_run())
    print("\n" + text)
    print(f"Plans of the main queries: {PLANS.relative_to(ROOT)}")
    if os.environ.get("BENCH_DOCS", "1") != "0" and not wanted:
        write_docs(text)
        print(f"Written into {DOCS.relative_to(ROOT)}")
    return 1 if any(missed for *_rest, missed in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
