"""Settings of Mediazione: one module, configured from the environment.

Every value has an embedded default that works on a laptop (SQLite, Celery eager, e-mails on the console).
Production sets the environment. Problems found while reading it are collected in ``CONFIG_ERRORS`` and reported
in words by the system check ``mediazione.E001`` (see ``mediazione/checks.py``) instead of a traceback.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# Problems found in the environment, reported by the system check in mediazione/checks.py.
CONFIG_ERRORS: list[str] = []

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by ``NAME_FILE`` (Docker/Kubernetes secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            CONFIG_ERRORS.append(f"{name}_FILE points to {file_name!r}, which cannot be read ({exc.strerror}).")
            return default
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    CONFIG_ERRORS.append(f"{name}={raw!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off.")
    return default


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        CONFIG_ERRORS.append(f"{name}={raw!r} is not a whole number.")
        return default
    if value < minimum:
        CONFIG_ERRORS.append(f"{name}={value} is too small: it must be at least {minimum}.")
        return default
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105  (DEBUG only)
    else:
        CONFIG_ERRORS.append(
            "SECRET_KEY is not set and DEBUG is off: set SECRET_KEY (or SECRET_KEY_FILE) to a long random value."
        )
        # A throwaway key so that commands can still start and print the check above.
        SECRET_KEY = "unset-" + secrets.token_urlsafe(40)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    CONFIG_ERRORS.append("ALLOWED_HOSTS is empty and DEBUG is off: list the host names the portal answers to.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = "Mediazione"
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The portal's rooms, from the ground up: each imports only from the ones above it in this list
    # (docs/architecture.md; checked by tests/test_architecture.py).
    "core.apps.CoreConfig",
    "accounts.apps.AccountsConfig",
    "audit.apps.AuditConfig",
    "mediators.apps.MediatorsConfig",
    "guide.apps.GuideConfig",
    "notifications.apps.NotificationsConfig",
    "requests_app.apps.RequestsAppConfig",
    "scheduling.apps.SchedulingConfig",
    "sessions_app.apps.SessionsConfig",
    "faq.apps.FaqConfig",
    "training.apps.TrainingConfig",
    "seminar.apps.SeminarConfig",
    "timesheets.apps.TimesheetsConfig",
    "reporting.apps.ReportingConfig",
    "privacy.apps.PrivacyConfig",
    "api.apps.ApiConfig",
    "mediazione.apps.MediazioneConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one: every response gets the policy, also those other middleware answer by themselves.
    "mediazione.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before anything reads request.user: an idle session is ended first (and renewed only every few minutes).
    "mediazione.middleware.SessionIdleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whose page this is, for the service worker's offline copies (mediazione/pwa.py).
    "mediazione.pwa.OfflineOwnerMiddleware",
    "mediazione.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ActiveMembershipMiddleware",
    "mediazione.middleware.MFARequiredMiddleware",
]

ROOT_URLCONF = "mediazione.urls"
WSGI_APPLICATION = "mediazione.wsgi.application"
ASGI_APPLICATION = "mediazione.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mediazione.context_processors.portal",
            ],
        },
    },
]

# --- The web processes' garbage collector -----------------------------------------------------------------------------


# A web process collects its cyclic garbage after GC_THRESHOLDS[0] new objects (Python's default: 700), and the
# objects it made at start (Django, the URLconf, the templates) are frozen out of every collection
# (mediazione/runtime.py): a full collection walked them all, a pause of 60–80 ms that fell on a request now and then
# (issue #17: the slowest of a page's requests). A young generation of 5,000: measured on 300 requests of four pages
# of the region, 129–186 ms of collections in all, none over 8.5 ms; with 50,000 (until 6 December 2026) 273–339 ms
# in five pauses of 74–81 ms, each on one request (its p99 68–96 ms against 45–52). Three whole numbers, as
# gc.set_threshold takes them.
def _gc_thresholds() -> tuple[int, int, int]:
    raw = os.environ.get("GC_THRESHOLDS", "5000,10,10")
    try:
        values = tuple(int(part) for part in raw.split(","))
        if len(values) != 3 or min(values) < 1:
            raise ValueError
    except ValueError:
        CONFIG_ERRORS.append(f"GC_THRESHOLDS={raw!r} is not three whole numbers above 0, such as 5000,10,10.")
        return (5000, 10, 10)
    return values


GC_THRESHOLDS = _gc_thresholds()

# The read audit's rows (audit.services.record) are committed on PostgreSQL without waiting for the disk's flush
# (synchronous_commit off for that one INSERT): an audited page no longer waits for an fsync, 1-4 ms on this machine.
# A crash of the database server itself can lose the reads of its last fraction of a second (never half a row, never
# any other data); set it on where every read must be on disk before its page is shown.
READ_AUDIT_WAIT_FOR_DISK = env_bool("READ_AUDIT_WAIT_FOR_DISK", False)

# --- Database ---------------------------------------------------------------------------------------------------------

_DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# Behind PgBouncer in transaction mode (docs/deployment.md), a connection to the server belongs to this process for
# one transaction only: a server-side cursor (QuerySet.iterator() opens one, e.g. the report exports and the roster's
# export) would be looked for in another client's connection, so they are turned off. (Django already keeps psycopg 3
# from preparing statements, the other thing transaction pooling breaks.)
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)


def _database_from_url(name: str, url: str, instead: str = "it is ignored") -> dict | None:
    """The DATABASES entry for ``url`` (the variable ``name``), with the connection settings of its engine."""
    try:
        database = dj_database_url.parse(url)
    except ValueError as exc:
        CONFIG_ERRORS.append(f"{name} cannot be understood ({exc}); {instead}.")
        return None
    if database["ENGINE"] == "django.db.backends.postgresql":
        # psycopg 3. Either a connection pool inside each process (DATABASE_POOL=1) or persistent connections
        # re-used across requests and health-checked before use: both avoid a new connection per request.
        if env_bool("DATABASE_POOL", False):
            database.setdefault("OPTIONS", {})["pool"] = {
                "min_size": 1,
                "max_size": env_int("DATABASE_POOL_MAX", 10, 1),
            }
            database["CONN_MAX_AGE"] = 0
        else:
            database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
            database["CONN_HEALTH_CHECKS"] = True
        if DATABASE_PGBOUNCER:
            database["DISABLE_SERVER_SIDE_CURSORS"] = True
    elif database["ENGINE"] == "django.db.backends.sqlite3":
        # Wait a little on a locked file instead of failing at once (runserver and the eager Celery share it).
        database.setdefault("OPTIONS", {})["timeout"] = 20
    else:
        CONFIG_ERRORS.append(f"{name} uses {database['ENGINE']!r}: only PostgreSQL and SQLite are supported.")
    return database


DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or _DEFAULT_DATABASE_URL
_database = _database_from_url("DATABASE_URL", DATABASE_URL, "falling back to the embedded SQLite file")
if _database is None:
    _database = _database_from_url("DATABASE_URL", _DEFAULT_DATABASE_URL)
_database["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
DATABASES = {"default": _database}

# A read replica of the primary (PostgreSQL streaming replication), for the dashboard and the report jobs only:
# core.replica sends their reads there inside reading_from_replica(); every write, and every other read, goes to
# the primary. Absent when DATABASE_REPLICA_URL is unset. In the tests it mirrors the test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    if urlparse(DATABASE_REPLICA_URL).scheme not in {"postgres", "postgresql", "pgsql"}:
        CONFIG_ERRORS.append(
            "DATABASE_REPLICA_URL is not a postgres:// address (a read replica of the PostgreSQL primary); "
            "it is ignored."
        )
    elif _database["ENGINE"] != "django.db.backends.postgresql":
        CONFIG_ERRORS.append("DATABASE_REPLICA_URL is set but DATABASE_URL is not PostgreSQL: the replica is ignored.")
    else:
        _replica = _database_from_url("DATABASE_REPLICA_URL", DATABASE_REPLICA_URL)
        if _replica is not None:
            _replica["TEST"] = {"MIRROR": "default"}
            # A replica that does not answer is given up on after a few seconds (the figures then come from the
            # primary: core/replica.py), not after the system's TCP timeout of a minute or more.
            _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
            DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite (the demo, the tests) ignores the extra columns of a covering index (scheduling's
# appointment_district_time_idx): a plain index there, a covering one on PostgreSQL, which is what it is for.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache (login rate limits, sessions, the header's counters) ------------------------------------------------------


def _redis_of_test_worker(url: str) -> str:
    """The suite runs in parallel (pytest-xdist, `make test`): worker gwN moves each Redis address N×2 databases up
    (gw0: /0 and /1 as configured, gw1: /2 and /3), so that no worker reads another's queue or cache. Outside the
    tests (no PYTEST_XDIST_WORKER) the address is left as it is."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url.startswith(("redis://", "rediss://")) or not worker.startswith("gw"):
        return url
    parts = urlparse(url)
    number = int(parts.path.strip("/") or 0) + 2 * int(worker[2:])
    return parts._replace(path=f"/{number}").geturl()


CACHE_URL = _redis_of_test_worker(os.environ.get("CACHE_URL", "").strip())
if CACHE_URL.startswith(("redis://", "rediss://")):
    # Redis unreachable must not break login or pages (mediazione/cache.py): "default" (rate limits) answers from a
    # per-process cache meanwhile, "shared" (sessions, counters) from nothing, i.e. from the database; both log a
    # warning and try Redis again after a pause.
    _redis = {
        "BACKEND": "mediazione.cache.ResilientRedisCache",
        "LOCATION": CACHE_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    CACHES = {"default": _redis, "shared": {**_redis, "FALLBACK": "none"}}
else:
    if CACHE_URL:
        CONFIG_ERRORS.append(f"CACHE_URL={CACHE_URL!r} is not a redis:// address; using the in-process cache.")
    # Without Redis nothing is "shared": several processes (gunicorn's workers) would each keep their own copy of a
    # session, alive in one after its logout in another. Sessions and counters are then read from the database.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }

# --- Users, login, sessions -------------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mediazione] "
# A password set through the reset link proves the address (needed to set up an authenticator app).
ACCOUNT_FORMS = {"reset_password_from_key": "accounts.forms.PasswordResetFromKeyForm"}
# Failed logins: at most 5 per account in 5 minutes and 20 per address per minute; then allauth answers 429.
# "ip" is the client's address: behind a proxy, see ALLAUTH_TRUSTED_PROXY_COUNT below. "login" caps login attempts
# (right or wrong) from one address, as allauth's default does: per client, not per installation.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("LOGIN_ATTEMPTS_RATE_LIMIT", "30/m/ip"),
    "login_failed": env_str("LOGIN_RATE_LIMIT", "20/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}

# Multi-factor login (allauth.mfa): an authenticator app (TOTP) and recovery codes. The roles in
# MFA_REQUIRED_ROLES (values of accounts.models.Role) are led to set it up before anything else
# (mediazione.middleware.MFARequiredMiddleware); unknown names are reported by `manage.py check`. Empty with DEBUG
# on, so that the demo users click through without an authenticator app.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "" if DEBUG else "coordinator,province_staff,administrator")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Mediazione")
# The code of the 30 seconds before or after is accepted too: a phone's clock a little off, or a code typed as it
# changed, is not refused (allauth's default, 0, refused the code of a social worker who pressed the button a moment
# late; a reused code is still refused).
MFA_TOTP_TOLERANCE = 1
MFA_ADAPTER = "mediazione.mfa.MFAAdapter"
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TRUST_ENABLED = False

# Sessions end after SESSION_IDLE_MINUTES without a request and always when the browser closes: shared office
# computers are common. They live in the database, read through the "shared" cache (Redis): a page reads no session
# row. A session is written when it changes, and to push its end back at most every SESSION_RENEW_SECONDS (a twelfth
# of the idle time: 5 minutes of 60), not on every request (mediazione.middleware.SessionIdleMiddleware).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "shared"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 60, 1) * 60
SESSION_RENEW_SECONDS = max(1, SESSION_COOKIE_AGE // 12)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Minutes a mediator needs between two in-person appointments in different places.
TRAVEL_BUFFER_MINUTES = env_int("TRAVEL_BUFFER_MINUTES", 30)
# Offers of work: how long the signed accept/decline links in the e-mail work at most (they also die with the offer).
OFFER_LINK_MAX_DAYS = env_int("OFFER_LINK_MAX_DAYS", 14, 1)
# A request assigned this many days ago and still without an appointment is stalled (the coordinator's home).
STALLED_AFTER_DAYS = env_int("STALLED_AFTER_DAYS", 3, 1)

# Invitations to set a password and join the portal stay valid this many days.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7, 1)

# Closed and cancelled requests are anonymised this many years after they finished (audit.services, nightly).
RETENTION_YEARS = env_int("RETENTION_YEARS", 5, 1)
# The public seminar (seminar/): registrations are anonymised this many months after the event (the nightly task).
SEMINAR_RETENTION_MONTHS = env_int("SEMINAR_RETENTION_MONTHS", 6, 1)
# A registration's confirmation link works for this many hours; an unconfirmed registration is deleted after it.
SEMINAR_CONFIRM_HOURS = env_int("SEMINAR_CONFIRM_HOURS", 48, 1)
# Registrations sent from one address (IP) in SEMINAR_RATE_WINDOW seconds, at most (counted in the default cache).
SEMINAR_RATE = env_int("SEMINAR_RATE", 5, 1)
SEMINAR_RATE_WINDOW = env_int("SEMINAR_RATE_WINDOW", 3600, 1)
# A registration form sent back sooner than this many seconds after it was shown (a robot), or later than this many
# hours (a stale page), is refused.
SEMINAR_FORM_MIN_SECONDS = env_int("SEMINAR_FORM_MIN_SECONDS", 3, 0)
SEMINAR_FORM_MAX_HOURS = env_int("SEMINAR_FORM_MAX_HOURS", 6, 1)

# --- Security (production: DEBUG off behind HTTPS) --------------------------------------------------------------------

# `DEBUG=0 SECRET_KEY=… ALLOWED_HOSTS=… manage.py check --deploy --fail-level WARNING` passes with these defaults
# (tests/test_hardening.py). Behind a proxy that terminates TLS, set BEHIND_PROXY=1 so that a request it forwarded
# as https is seen as secure (and SECURE_SSL_REDIRECT does not loop).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
LANGUAGE_COOKIE_SECURE = _HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
# The container's own health check asks over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _HTTPS and not DEBUG else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The header only says that the portal consents to preloading; being listed needs a submission to hstspreload.org.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# allauth's rate limits count per client address. Behind a proxy REMOTE_ADDR is the proxy's, so every user would
# share one counter: one person's wrong passwords would lock everyone out, and 30 logins a minute would be the whole
# installation's. So behind the proxy the client is read from X-Forwarded-For, counting TRUSTED_PROXY_COUNT entries
# from the right (each proxy of ours appends the address it was reached from; what a client sends itself stays on
# the left and is never trusted), or from the header named by TRUSTED_CLIENT_IP_HEADER (X-Real-IP) if the proxy
# sets one and overwrites whatever a client sent. Without a proxy both stay off: X-Forwarded-For is ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_PROXY else 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER", "").strip() or None

# Content Security Policy (mediazione.middleware.ContentSecurityPolicyMiddleware): scripts only from the portal's
# own static files, never inline. Styles allow inline because Bootstrap Italia injects the @font-face rules of
# Titillium Web and htmx its indicator styles at run time; a style cannot run code. The QR code of the authenticator
# app is an SVG data: image. CSP_REPORT_ONLY=1 sends the same policy as Content-Security-Policy-Report-Only.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    # The service worker (/sw.js) and the web manifest of the installable app (mediazione/pwa.py).
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)

# The map of the public mini-guide (Leaflet, served from the portal's static files). Its tiles are images of a tile
# server: OpenStreetMap's by default, or the province's own. The tile server's origin is added to the policy's
# img-src; the browser asks it for tiles only when a reader opens the map. Empty: no map (the list is the guide).
GUIDE_MAP_TILES_URL = env_str("GUIDE_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png").strip()
GUIDE_MAP_ATTRIBUTION = env_str(
    "GUIDE_MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
).strip()
_tiles = urlparse(GUIDE_MAP_TILES_URL)
if _tiles.scheme in ("http", "https") and _tiles.netloc:
    CONTENT_SECURITY_POLICY["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

# Uploads (the roster import): a file part larger than this is not stored at all (mediazione.uploads), and the
# form says why; the import itself refuses files over 2 MB. Other request bodies stay within Django's 2.5 MB.
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# What one roster import may hold before it is refused unread (mediators/importing.py, LIMITS): rows, columns read,
# cells of an .xlsx (a sheet whose one row holds a million cells is refused in milliseconds, never parsed), bytes
# an .xlsx unpacks to, seconds of reading. The defaults keep an upload within seconds and tens of MB.
ROSTER_IMPORT_MAX_ROWS = env_int("ROSTER_IMPORT_MAX_ROWS", 10_000, 1)
ROSTER_IMPORT_MAX_COLUMNS = env_int("ROSTER_IMPORT_MAX_COLUMNS", 60, 20)
ROSTER_IMPORT_MAX_CELLS = env_int("ROSTER_IMPORT_MAX_CELLS", 300_000, 1_000)
ROSTER_IMPORT_MAX_XLSX_BYTES = env_int("ROSTER_IMPORT_MAX_XLSX_BYTES", 50 * 1024 * 1024, 1024 * 1024)
ROSTER_IMPORT_MAX_SECONDS = env_int("ROSTER_IMPORT_MAX_SECONDS", 10, 1)
FILE_UPLOAD_HANDLERS = [
    "mediazione.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Languages and time -----------------------------------------------------------------------------------------------

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Rome"
USE_TZ = True

# --- Static files (Bootstrap Italia and htmx come from npm: see package.json and package-lock.json) -----------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap-italia", BASE_DIR / "node_modules" / "bootstrap-italia" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    # The optional map of the public mini-guide (the page works without it).
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
# Files (report jobs' PDF/CSV/XLSX, roster uploads waiting for confirmation) go through Django's storage API,
# never a path, so that every web process and worker reads what any of them wrote: a folder (MEDIA_ROOT; with several
# hosts, a volume they all mount) or, with STORAGE_BACKEND=s3, a private bucket of S3 or an S3-compatible service
# (MinIO, Ceph, a cloud's object storage) through django-storages. Downloads pass through the portal's views, which
# check who asks and record the read; the bucket is never public and no signed address leaves the portal.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "").strip().lower() or "filesystem"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
_default_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if STORAGE_BACKEND == "s3":
    _s3_options = {
        "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME").strip(),
        # Under this prefix of the bucket (a bucket shared with other uses).
        "location": env_str("AWS_LOCATION").strip().strip("/"),
        # Names are unique (a report job's file carries its id and attempt): no existence check before each upload.
        "file_overwrite": True,
        "default_acl": None,
    }
    for _option, _name in (
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("addressing_style", "AWS_S3_ADDRESSING_STYLE"),
        ("access_key", "AWS_ACCESS_KEY_ID"),
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
    ):
        # Unset: boto3's own chain (its environment variables, ~/.aws, the instance's or the pod's role).
        _value = env_str(_name).strip()
        if _value:
            _s3_options[_option] = _value
    if not _s3_options["bucket_name"]:
        CONFIG_ERRORS.append(
            "STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME, the bucket that keeps report files and uploads."
        )
    if _s3_options.get("addressing_style", "auto") not in {"auto", "path", "virtual"}:
        CONFIG_ERRORS.append(
            f"AWS_S3_ADDRESSING_STYLE={_s3_options['addressing_style']!r} is not auto, path or virtual."
        )
        del _s3_options["addressing_style"]
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
elif STORAGE_BACKEND != "filesystem":
    CONFIG_ERRORS.append(
        f"STORAGE_BACKEND={STORAGE_BACKEND!r} is not a storage: use filesystem (MEDIA_ROOT) or s3; "
        "files are kept in MEDIA_ROOT meanwhile."
    )
    STORAGE_BACKEND = "filesystem"
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail -----------------------------------------------------------------------------------------------------------

# Development prints e-mails on the console; a real installation sends them through EMAIL_HOST.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, 1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mediazione <noreply@mediazione.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address links in e-mails start with, e.g. https://mediazione.provincia.cremona.it
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Celery -----------------------------------------------------------------------------------------------------------

CELERY_BROKER_URL = _redis_of_test_worker(os.environ.get("CELERY_BROKER_URL", "").strip())
if CELERY_BROKER_URL and urlparse(CELERY_BROKER_URL).scheme not in {"redis", "rediss"}:
    CONFIG_ERRORS.append(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL!r} is not a redis:// address; tasks will run eagerly instead."
    )
    CELERY_BROKER_URL = ""
# Without a broker, tasks run at once in the web process: the embedded default for demos and tests.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND")
CELERY_RESULT_BACKEND = (
    _redis_of_test_worker(_RESULT_BACKEND) if _RESULT_BACKEND is not None else CELERY_BROKER_URL
) or None
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "mediazione")
# Reliability (docs/operations.md says why each value): a message is acknowledged only after its task ran
# (acks_late), and given back to the queue when the process running it dies (reject_on_worker_lost), so no task is
# acknowledged unfinished. Redis gives an unacknowledged message back after the visibility timeout: longer than the
# longest task (the time limit) so that a slow task is never run twice; a report job whose worker died is reclaimed
# much sooner, by its stale heartbeat (REPORT_JOB_STALE_SECONDS) and the sweeper (SWEEP_SECONDS).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
}
# Sending a task to a broker that is down gives up within seconds (the outbox keeps it for the sweeper) instead of
# holding the person's request for ~20 s.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# No task result is ever read: results are not stored (and sending never waits on the result store).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # Release the next tier of offers and expire unanswered ones: silence never counts as acceptance.
    "offers-tick": {"task": "scheduling.tasks.offers_tick_task", "schedule": 300.0},
    "notify-expiring-qualifications": {
        "task": "mediators.tasks.notify_expiring_qualifications_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # The morning's summary of the notifications each person chose to receive once a day (one e-mail at most).
    "notification-digests": {
        "task": "notifications.tasks.send_daily_digests_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Mediators whose report is still missing 48 hours after an appointment (each appointment once).
    "remind-missing-reports": {"task": "timesheets.tasks.remind_missing_reports_task", "schedule": crontab(minute=15)},
    # Social workers with reports to confirm or mediations to evaluate: one digest a day at most.
    "remind-social-workers": {
        "task": "timesheets.tasks.remind_social_workers_task",
        "schedule": crontab(hour=8, minute=0),
    },
    # Anonymise closed and cancelled requests past RETENTION_YEARS (idempotent: a rerun finds nothing to do).
    "anonymise-expired-requests": {
        "task": "privacy.tasks.anonymise_expired_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Report files past their expiry are deleted with their row; each active project's report of the last quarter.
    "report-jobs-expire": {"task": "reporting.tasks.report_jobs_expire_task", "schedule": crontab(hour=4, minute=0)},
    # The reporting dashboard's monthly aggregates recomputed from the source (the services keep them up to date
    # during the day; this catches up with what changed outside them: the admin site, rates).
    "reporting-aggregates-rebuild": {
        "task": "reporting.tasks.aggregates_rebuild_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # The request lists' language menus written again from the requests (languages nobody asks for any more go).
    "requests-office-languages-rebuild": {
        "task": "requests_app.tasks.office_languages_rebuild_task",
        "schedule": crontab(hour=2, minute=50),
    },
    # The mediators' ratings (the candidates' ranking) written again from the offices' scores.
    "sessions-ratings-rebuild": {
        "task": "sessions_app.tasks.ratings_rebuild_task",
        "schedule": crontab(hour=2, minute=55),
    },
    # The public seminar: the reminder with its calendar file the day before (once per person), and registrations
    # anonymised SEMINAR_RETENTION_MONTHS after the event.
    "seminar-reminders": {"task": "seminar.tasks.send_reminders_task", "schedule": crontab(minute=5)},
    "seminar-retention": {"task": "seminar.tasks.anonymise_registrations_task", "schedule": crontab(hour=3, minute=45)},
    "quarterly-reports": {
        "task": "reporting.tasks.quarterly_reports_task",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=6, minute=0),
    },
}
# How long a report file is kept before the nightly clean-up deletes it (days).
REPORTS_KEEP_DAYS = env_int("REPORTS_KEEP_DAYS", 30, 1)
# A running report job proves it is alive every quarter of this interval (its heartbeat); one silent for longer
# lost its worker and may be claimed by a new attempt. After REPORT_JOB_MAX_ATTEMPTS attempts it fails with a
# message. A failed attempt waits REPORT_JOB_RETRY_SECONDS, doubled at each attempt, before the next one.
REPORT_JOB_STALE_SECONDS = env_int("REPORT_JOB_STALE_SECONDS", 120, 3)
REPORT_JOB_HEARTBEAT_SECONDS = max(1, REPORT_JOB_STALE_SECONDS // 4)
REPORT_JOB_MAX_ATTEMPTS = env_int("REPORT_JOB_MAX_ATTEMPTS", 3, 1)
REPORT_JOB_RETRY_SECONDS = env_int("REPORT_JOB_RETRY_SECONDS", 30, 0)
# The sweeper runs every SWEEP_SECONDS: stale report jobs, jobs and e-mails whose sending failed (the outbox). It
# leaves alone what was written less than OUTBOX_GRACE_SECONDS ago (the web process is still sending it).
SWEEP_SECONDS = env_int("SWEEP_SECONDS", 60, 1)
OUTBOX_GRACE_SECONDS = env_int("OUTBOX_GRACE_SECONDS", 30, 0)
CELERY_BEAT_SCHEDULE["sweep-outbox"] = {"task": "core.tasks.outbox_sweep_task", "schedule": float(SWEEP_SECONDS)}
CELERY_BEAT_SCHEDULE["retry-webhooks"] = {"task": "api.tasks.webhook_retry_task", "schedule": float(SWEEP_SECONDS)}
CELERY_BEAT_SCHEDULE["sweep-report-jobs"] = {
    "task": "reporting.tasks.report_jobs_sweep_task",
    "schedule": float(SWEEP_SECONDS),
}
# Editions of the guide's booklet whose worker went silent: built again, or failed after REPORT_JOB_MAX_ATTEMPTS.
CELERY_BEAT_SCHEDULE["sweep-guide-editions"] = {
    "task": "guide.tasks.editions_sweep_task",
    "schedule": float(SWEEP_SECONDS),
}

# --- The API for other systems (api/, issue #20) ---------------------------------------------------------------------

# Calls a token (or a person in the browsable documentation) may make: "120/min", "5000/hour"… Beyond it, 429 with
# Retry-After. Counted in the default cache: Redis when CACHE_URL is set, shared by every process.
API_RATE = env_str("API_RATE").strip() or "120/min"
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_RATE):
    CONFIG_ERRORS.append(f"API_RATE={API_RATE!r} is not a rate like 120/min or 5000/hour; using 120/min.")
    API_RATE = "120/min"
# The public guide (/api/v1/guide/…) needs no token: its calls are counted per client address (read as the login
# limits read it, TRUSTED_PROXY_COUNT behind a proxy), at this rate.
API_PUBLIC_RATE = env_str("API_PUBLIC_RATE").strip() or "60/min"
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_PUBLIC_RATE):
    CONFIG_ERRORS.append(f"API_PUBLIC_RATE={API_PUBLIC_RATE!r} is not a rate like 60/min or 1000/hour; using 60/min.")
    API_PUBLIC_RATE = "60/min"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
# Webhooks (api/webhooks.py): attempts of one delivery before giving up; failed attempts in a row before a webhook is
# switched off; hosts allowed over plain http (never in production: the tests' own receiver).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, 1)
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 20, 1)
WEBHOOK_HTTP_HOSTS: list[str] = []
SPECTACULAR_SETTINGS = {
    "TITLE": "Mediazione API",
    "DESCRIPTION": (
        "Requests for linguistic-cultural mediators, their appointments and reports, for the case-management systems "
        "of municipalities and districts. Every call acts as one role of one organisation (the API token's) and sees "
        "what that role sees on the portal's pages: an object outside it answers 404. The published guide "
        "(/api/v1/guide/…) is public: no token, in Open Referral HSDS 3 JSON."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RequestStatusEnum": "requests_app.models.Status",
        "AppointmentStatusEnum": "scheduling.models.Appointment.Status",
        "SessionReportStatusEnum": "sessions_app.models.SessionReport.Status",
        "OfferStatusEnum": "scheduling.models.Offer.Status",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# --- Logging ----------------------------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint and fontTools report every font subset at INFO (~140 lines a PDF): only their warnings show,
        # so that a person running the portal reads the server's lines and real problems.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
