"""Multi-factor login: which roles must use it, and the session's proof that the second factor was given.

allauth.mfa asks for the code at login when the user has an authenticator, but it has no notion of roles that
must have one: ``mediazione.middleware.MFARequiredMiddleware`` enforces ``settings.MFA_REQUIRED_ROLES`` with the
helpers here.
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings

# Set in the session once the second factor is proven: at login (allauth's "mfa" authentication record) or by
# activating an authenticator app with a valid code in this session.
VERIFIED_SESSION_KEY = "mediazione_mfa_verified"


def role_values() -> list[str]:
    from accounts.models import Role

    return list(Role.values)


def unknown_required_roles() -> list[str]:
    """Names in ``MFA_REQUIRED_ROLES`` that are not roles (reported by ``manage.py check``)."""
    known = set(role_values())
    return [name for name in getattr(settings, "MFA_REQUIRED_ROLES", []) if name not in known]


def required_roles() -> frozenset[str]:
    return frozenset(getattr(settings, "MFA_REQUIRED_ROLES", [])) & frozenset(role_values())


def mfa_required_for(user, actor) -> bool:
    """Whether this user, in their current role, must have a second factor.

    Staff users reach ``/admin/`` whatever their current role: they count as administrators.
    """
    roles = required_roles()
    if not roles or not user.is_authenticated:
        return False
    if actor.role in roles:
        return True
    from accounts.models import Role

    return Role.ADMINISTRATOR in roles and (user.is_staff or user.is_superuser)


# Whether a user has an authenticator, kept in the shared cache (Redis): the middleware asks it on every request of
# a session that never gave a code (a social worker's, a mediator's). Forgotten whenever an authenticator is saved
# or deleted (``forget_authenticators``, connected to the model's signals: allauth and the admin site write them).
AUTHENTICATOR_TIMEOUT = 300


def _authenticator_key(user_id) -> str:
    return f"mfa:enabled:{user_id}"


def has_authenticator(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled
    from django.core.cache import caches

    cache = caches["shared"]
    enabled = cache.get(_authenticator_key(user.pk))
    if enabled is None:
        enabled = is_mfa_enabled(user)
        cache.set(_authenticator_key(user.pk), enabled, AUTHENTICATOR_TIMEOUT)
    return enabled


def forget_authenticators(sender, instance, **kwargs) -> None:
    """An authenticator was added, changed or removed: ask the database again, now and once it is committed."""
    from django.core.cache import caches
    from django.db import transaction

    key = _authenticator_key(instance.user_id)
    caches["shared"].delete(key)
    transaction.on_commit(lambda: caches["shared"].delete(key))


def session_is_verified(request) -> bool:
    if request.session.get(VERIFIED_SESSION_KEY) == request.user.pk:
        return True
    if any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user)):
        request.session[VERIFIED_SESSION_KEY] = request.user.pk
        return True
    return False


def mark_verified(request) -> None:
    request.session[VERIFIED_SESSION_KEY] = request.user.pk


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        # Someone whose role requires a second factor cannot switch off their last authenticator app.
        from allauth.mfa.models import Authenticator

        from accounts.scoping import actor_for

        user = authenticator.user
        if not mfa_required_for(user, actor_for(user)):
            return True
        others = Authenticator.objects.filter(user=user).exclude(pk=authenticator.pk)
        return others.exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
