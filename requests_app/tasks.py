"""Background work of requests: takes ids, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails_task(notification_ids: list[int]) -> int:
    # Idempotent: a notification already e-mailed is skipped, so a retry never sends twice.
    return services.notification_send_emails(notification_ids=notification_ids)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_offer_email_task(offer_id: int, kind: str) -> bool:
    return services.offer_send_email(offer_id=offer_id, kind=kind)


@shared_task(acks_late=True)
def offers_tick_task() -> dict:
    # Every five minutes (CELERY_BEAT_SCHEDULE): release waiting tiers, expire unanswered offers.
    return services.offers_tick()
