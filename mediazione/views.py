"""Portal-wide views: health and the error pages."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from api.errors import json_error


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001  (any failure is reported, not raised)
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from kombu import Connection

    try:
        # A connection of its own, not one from the pool: a pooled connection may hide a broker that went away.
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _cache_state() -> str:
    from django.core.cache import cache

    ping = getattr(cache, "ping", None)
    return ping() if ping else "local"


def _outbox_state() -> dict:
    """What waits for the broker: e-mails and report jobs not yet handed over (the sweeper sends them)."""
    from core.models import PendingTask
    from reporting.models import ReportJob

    try:
        return {
            "pending_tasks": PendingTask.objects.count(),
            "report_jobs_waiting": ReportJob.objects.filter(
                status=ReportJob.Status.QUEUED, enqueued_at__isnull=True
            ).count(),
        }
    except Exception as exc:  # noqa: BLE001
        return {"error": exc.__class__.__name__}


@never_cache
def health(request):
    """For load balancers and monitoring: 200 when the database and the broker answer, else 503. The cache is
    reported too: without it the portal works (status "degraded", still 200), with rate limits kept per process."""
    state = {"database": _database_state(), "broker": _broker_state(), "cache": _cache_state()}
    healthy = state["database"] == "ok" and state["broker"] in ("ok", "eager")
    if state["database"] == "ok":
        state["outbox"] = _outbox_state()
    if not healthy:
        state["status"] = "error"
    elif state["cache"] not in ("ok", "local"):
        state["status"] = "degraded"
    else:
        state["status"] = "ok"
    return JsonResponse(state, status=200 if healthy else 503)


def bad_request(request, exception=None):
    return json_error(request, 400) or render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return json_error(request, 403) or render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return json_error(request, 404) or render(request, "404.html", status=404)


def server_error(request):
    answer = json_error(request, 500)
    if answer is not None:
        return answer
    # No context processors that touch the database: the error may be the database itself.
    from django.template import loader

    return _plain_render(loader.get_template("500.html"), status=500)


def _plain_render(template, status):
    from django.http import HttpResponse

    return HttpResponse(template.render({"STATIC_URL": settings.STATIC_URL}), status=status)
