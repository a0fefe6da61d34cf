"""Settings of the region benchmark (bench/pages.py): the portal's own settings as production runs them (DEBUG off),
with what a benchmark on 127.0.0.1 needs, and the bench's URLconf (the portal's pages plus the bare-SQL views).

Never used by the portal itself: only gunicorn and the bench process started by bench/pages.py name it.
"""

import os
import warnings

# As production runs, whatever the shell says: DEBUG off; plain HTTP on 127.0.0.1 (no redirect to HTTPS, no
# secure-only cookies).
os.environ["DEBUG"] = "0"
os.environ["HTTPS"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-a-throwaway-database-never-a-real-installation")
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
# As production runs beyond one process: sessions, the unread counters and the cached menus in Redis, shared by
# gunicorn's workers (docs/deployment.md). BENCH_CACHE_URL names another one; the bench empties this database first.
os.environ["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14")
# Quiet: a log line per request would cost more than some pages.
os.environ.setdefault("LOG_LEVEL", "WARNING")

# No collectstatic before a run (see STORAGES below): whitenoise need not say so at every start.
warnings.filterwarnings("ignore", message="No directory at")

from mediazione.settings import *  # noqa: E402,F403
from mediazione.settings import MIDDLEWARE, STORAGES  # noqa: E402

ROOT_URLCONF = "bench.urls"
# Outermost: counts every query of a request, the session's and the user's included (the X-Queries header).
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
# The bench users log in without an authenticator app (the pages measured are the same once the code was given).
MFA_REQUIRED_ROLES: list[str] = []
# No collectstatic before a run: static URLs without the manifest's hashes (the pages load no static file here).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
