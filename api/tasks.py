"""Background work of the API: takes ids, calls a service."""

from celery import shared_task

from . import webhooks


@shared_task(acks_late=True)
def webhook_deliver_task(delivery_ids: list[str]) -> int:
    # Idempotent: a delivered or given-up delivery is skipped; a failed attempt waits for webhook_retry_task.
    return sum(webhooks.webhook_deliver(delivery_id=pk) == "delivered" for pk in delivery_ids)


@shared_task(acks_late=True)
def webhook_retry_task() -> int:
    return webhooks.webhook_retry_due()
