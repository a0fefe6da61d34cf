"""Who sees notifications and the choices of how to hear of them: their own person only, administrators included
(personal models)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scoping import Actor, rule

from .models import Notification, NotificationPreference


@rule(Notification, personal=True)
def _notifications(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(recipient=actor.user)


@rule(NotificationPreference, personal=True)
def _preferences(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(user=actor.user)
