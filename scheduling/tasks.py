"""Background work of scheduling: takes ids, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_offer_email_task(offer_id: int, kind: str) -> bool:
    return services.offer_send_email(offer_id=offer_id, kind=kind)


@shared_task(acks_late=True)
def offers_tick_task() -> dict:
    # Every five minutes (CELERY_BEAT_SCHEDULE): release waiting tiers, expire unanswered offers.
    return services.offers_tick()
