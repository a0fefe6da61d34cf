"""Background work of reporting: takes ids, calls a service."""

import datetime as dt

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def report_job_run_task(job_id: str) -> bool:
    # Acknowledged only once the attempt ended, and given back to the queue if the worker process dies: a message
    # is never lost. Idempotent: the service claims the job with a conditional update, so a duplicate does nothing.
    try:
        return services.report_job_run(job_id=job_id)
    except services.TryAgain as again:
        # A transient error (a full disk, a restarting database): the job is queued again, sent after a backoff
        # (if the broker is down now, the sweeper sends it).
        services.report_job_dispatch(job_id=job_id, countdown=again.countdown)
    except services.Busy as busy:
        # Another attempt holds the job (a redelivery after a killed pool process, or a duplicate): look again
        # when that attempt would be stale; if it is still alive then, this repeats until the job is finished.
        services.report_job_dispatch(job_id=job_id, countdown=busy.countdown)
    return False


@shared_task(acks_late=True)
def report_jobs_sweep_task() -> dict:
    # Every SWEEP_SECONDS (CELERY_BEAT_SCHEDULE): stale jobs back to the queue or failed, unsent jobs sent.
    return services.report_jobs_sweep()


@shared_task(acks_late=True)
def report_jobs_expire_task() -> int:
    # Every night (CELERY_BEAT_SCHEDULE): files past their expiry are deleted with their row.
    return services.report_jobs_expire()


@shared_task(acks_late=True)
def quarterly_reports_task() -> int:
    # The first day of each quarter (CELERY_BEAT_SCHEDULE): each active project's report of the quarter just ended.
    return len(services.quarterly_reports_create())


@shared_task(acks_late=True, ignore_result=True)
def aggregates_refresh_task(request_id: int, at: list[str]) -> int:
    # Written to the outbox by a service that changed a fact of the request (core.figures): its months recomputed
    # from the source, so a duplicate or a late delivery does no harm.
    return services.aggregates_refresh(request_id=request_id, at=[dt.datetime.fromisoformat(moment) for moment in at])


@shared_task(acks_late=True)
def aggregates_rebuild_task() -> dict:
    # Every night (CELERY_BEAT_SCHEDULE): every monthly aggregate recomputed from the source.
    return services.aggregates_rebuild()
