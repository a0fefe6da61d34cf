"""Who sees notifications: their recipient only, administrators included (a personal model)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scoping import Actor, rule

from .models import Notification


@rule(Notification, personal=True)
def _notifications(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(recipient=actor.user)
