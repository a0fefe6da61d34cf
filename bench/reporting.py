# ruff: noqa: S603, S607 - runs this repository's own commands and poppler's pdfinfo
"""Benchmark: the province-year report at 20,000 requests. `make bench` runs it on a fresh SQLite file (or on
DATABASE_URL, which must then be a throwaway database).

It fills the database with `manage.py reporting_scale` (a synthetic province-year: 20,000 requests, about 50,000
sessions), then measures, each in a fresh Python process so that one measurement does not warm the next:

- the province-year PDF (every indicator, the charts, the budget): wall time and peak memory (VmHWM) of the
  process, Django and WeasyPrint included. The bar: at most 3 s and 150 MB.
- the CSV of every session row, streamed: the growth of the process's memory while it writes (peak during the
  export minus the resident memory just before it). The bar: at most +50 MB.
- the XLSX of every session row (openpyxl write-only), reported for information.

Environment: BENCH_REQUESTS (20000), BENCH_REUSE=1 to measure again without refilling a DATABASE_URL.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediazione.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

SLUG, YEAR = "scala", 2025
LIMITS = {"pdf_seconds": 3.0, "pdf_peak_mb": 150.0, "csv_growth_mb": 50.0}


def _status_mb(key: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(kind: str) -> dict:
    import django

    django.setup()
    import weasyprint  # noqa: F401 - imported before the baseline, as a worker has it loaded

    from accounts.models import Province
    from reporting.indicators import Scope
    from reporting.models import Project
    from reporting.services import report_write

    province = Province.objects.get(slug=SLUG)
    project = Project.objects.get(lead_province=province)
    import datetime as dt

    scope = Scope(province=province, date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 12, 31), project=project)
    before = _status_mb("VmRSS")
    target = Path(tempfile.mkdtemp()) / f"report.{kind}"
    started = time.perf_counter()
    if kind == "csv":
        with target.open("w", encoding="utf-8-sig", newline="") as stream:
            report_write(scope=scope, format=kind, stream=stream)
    else:
        with target.open("wb") as stream:
            report_write(scope=scope, format=kind, stream=stream)
    seconds = time.perf_counter() - started
    result = {
        "kind": kind,
        "seconds": round(seconds, 2),
        "rss_before_mb": round(before, 1),
        "peak_mb": round(_status_mb("VmHWM"), 1),
        "size_kb": round(target.stat().st_size / 1024, 1),
    }
    result["growth_mb"] = round(result["peak_mb"] - before, 1)
    if kind == "pdf":
        pages = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
        result["pages"] = next(
            (int(line.split()[-1]) for line in pages.splitlines() if line.startswith("Pages:")), None
        )
    else:
        result["rows"] = sum(1 for _ in target.open("rb")) - 1 if kind == "csv" else None
    return result


def main() -> int:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench-reporting.sqlite3'}"
    python = sys.executable
    env = dict(os.environ)
    if not os.environ.get("BENCH_REUSE"):
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        subprocess.run(
            [
                python,
                "manage.py",
                "reporting_scale",
                f"--province={SLUG}",
                f"--year={YEAR}",
                f"--requests={os.environ.get('BENCH_REQUESTS', '20000')}",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"filled in {time.perf_counter() - started:.0f} s")
    results = {}
    for kind in ("pdf", "csv", "xlsx"):
        output = subprocess.run(
            [python, __file__, "measure", kind], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout
        results[kind] = json.loads(output.strip().splitlines()[-1])
    database = env["DATABASE_URL"].split(":", 1)[0]
    print(f"\nReporting benchmark on {database}: one province-year\n")
    print(
        f"{'export':<6} {'time (s)':>9} {'RSS before (MB)':>16} {'peak (MB)':>10} {'growth (MB)':>12} {'size (KB)':>10}"
    )
    for kind, r in results.items():
        print(
            f"{kind:<6} {r['seconds']:>9.2f} {r['rss_before_mb']:>16.1f} {r['peak_mb']:>10.1f} "
            f"{r['growth_mb']:>12.1f} {r['size_kb']:>10.1f}"
        )
    print(f"\nPDF pages: {results['pdf'].get('pages')}; CSV rows: {results['csv'].get('rows')}")
    failures = []
    if results["pdf"]["seconds"] > LIMITS["pdf_seconds"]:
        failures.append(f"PDF took {results['pdf']['seconds']} s (limit {LIMITS['pdf_seconds']} s)")
    if results["pdf"]["peak_mb"] > LIMITS["pdf_peak_mb"]:
        failures.append(f"PDF peaked at {results['pdf']['peak_mb']} MB (limit {LIMITS['pdf_peak_mb']} MB)")
    if results["csv"]["growth_mb"] > LIMITS["csv_growth_mb"]:
        failures.append(f"CSV grew memory by {results['csv']['growth_mb']} MB (limit {LIMITS['csv_growth_mb']} MB)")
    print("\n" + ("\n".join(failures) if failures else "Within the limits: PDF ≤ 3 s and ≤ 150 MB, CSV ≤ +50 MB."))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "measure":
        print(json.dumps(measure(sys.argv[2])))
        sys.exit(0)
    sys.exit(main())
