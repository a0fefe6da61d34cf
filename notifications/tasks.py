"""Background work of notifications: takes ids, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails_task(notification_ids: list[int]) -> int:
    # Idempotent: a notification already e-mailed is skipped, so a retry never sends twice.
    return services.notification_send_emails(notification_ids=notification_ids)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_daily_digests_task() -> int:
    # Idempotent: whoever had today's summary gets no second one, so a retry or a second beat sends nothing.
    return services.notification_send_digests()
