"""Background work of reporting: takes ids, calls a service."""

from celery import shared_task

from . import services

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def report_job_run_task(self, job_id: str) -> bool:
    # Idempotent: the service claims the job with a conditional update, so a redelivered message does nothing.
    final = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        return services.report_job_run(job_id=job_id, final_attempt=final)
    except services.TRANSIENT as exc:
        # Back off 30 s, 60 s, 120 s: a full disk or a restarting database needs a moment.
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(acks_late=True)
def report_jobs_expire_task() -> int:
    # Every night (CELERY_BEAT_SCHEDULE): files past their expiry are deleted with their row.
    return services.report_jobs_expire()


@shared_task(acks_late=True)
def quarterly_reports_task() -> int:
    # The first day of each quarter (CELERY_BEAT_SCHEDULE): each active project's report of the quarter just ended.
    return len(services.quarterly_reports_create())
