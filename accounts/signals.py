"""Keeps the cached roles (accounts/role_cache.py) true whatever changes them: the services, the admin site, a data
migration. Receivers only forget cached copies; they decide nothing."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import role_cache
from .models import District, Funder, Membership, Office, Provider, Province


def _membership_changed(sender, instance, **kwargs):
    role_cache.forget_person(instance.user_id)


def _membership_districts_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # district.memberships.add(...): every member named, or everyone when cleared
        if pk_set:
            for user_id in Membership.objects.filter(pk__in=pk_set).values_list("user_id", flat=True):
                role_cache.forget_person(user_id)
        else:
            role_cache.forget_everyone()
    else:
        role_cache.forget_person(instance.user_id)


def _organisation_changed(sender, **kwargs):
    role_cache.forget_everyone()


def connect() -> None:
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="roles-membership-saved")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="roles-membership-deleted")
    m2m_changed.connect(
        _membership_districts_changed, sender=Membership.districts.through, dispatch_uid="roles-membership-districts"
    )
    for model in (Office, District, Province, Provider, Funder):
        for signal in (post_save, post_delete):
            signal.connect(_organisation_changed, sender=model, dispatch_uid=f"roles-{model.__name__}-{signal}")
    m2m_changed.connect(_organisation_changed, sender=Funder.provinces.through, dispatch_uid="roles-funder-provinces")
