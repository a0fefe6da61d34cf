"""Every write of the audit app: recording reads (and exports, own-data downloads and erasures).

Nothing here edits or deletes a row of the read audit: it is append-only (see audit.models). This room stands low:
it knows the audited models by their label, never by import, so every room above can record its reads.
"""

from __future__ import annotations

import logging
from operator import attrgetter

from django.conf import settings
from django.db import connections, router
from django.db.models.sql import InsertQuery
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.scoping import Actor, actor_for

from .models import ReadEvent

logger = logging.getLogger(__name__)

# --- The read audit ---------------------------------------------------------------------------------------------------

# The key of the address hash is derived from SECRET_KEY with this salt (Django's salted_hmac). Keyed, not a bare
# SHA-256: an address with a short query string (?q=TM-2025) could otherwise be recovered by trying every candidate.
# Whoever holds the key can still prove which address was read: hash the candidate and compare (path_matches).
PATH_HASH_SALT = "mediazione.audit.path"

# What each audited model is, and the province it belongs to, read from relations the pages already load (the
# selectors select_related them): recording a read costs one INSERT and nothing else.
# Models by their label (``app_label.modelname``).
KINDS = {
    "requests_app.mediationrequest": ReadEvent.Kind.REQUEST,
    "scheduling.appointment": ReadEvent.Kind.APPOINTMENT,
    "scheduling.appointmentseries": ReadEvent.Kind.SERIES,
    "sessions_app.sessionreport": ReadEvent.Kind.SESSION_REPORT,
}
PROVINCE_OF = {
    "requests_app.mediationrequest": attrgetter("office.district.province_id"),
    "scheduling.appointment": attrgetter("request.office.district.province_id"),
    "scheduling.appointmentseries": attrgetter("request.office.district.province_id"),
    "sessions_app.sessionreport": attrgetter("appointment.request.office.district.province_id"),
    "mediators.mediator": attrgetter("provider.province_id"),
}


def path_hash(path: str, *, secret: str | None = None) -> str:
    """HMAC-SHA256 of the full address (path and query string), keyed from SECRET_KEY."""
    return salted_hmac(PATH_HASH_SALT, path, secret=secret, algorithm="sha256").hexdigest()


def path_matches(*, event: ReadEvent, path: str) -> bool:
    """Was ``path`` the address of this read? Also with the keys of SECRET_KEY_FALLBACKS, after a key rotation."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(constant_time_compare(path_hash(path, secret=secret), event.path_hash) for secret in secrets)


def _province_of(obj, actor: Actor) -> int | None:
    if obj is not None and (province := PROVINCE_OF.get(obj._meta.label_lower)) is not None:
        return province(obj)
    # An export: the province of the role that downloaded it (none for an administrator across provinces).
    return next(iter(actor.province_ids)) if len(actor.province_ids) == 1 else None


def record(*, actor: Actor, kind: str, path: str, obj=None, what: str = "") -> ReadEvent:
    # One INSERT is atomic by itself: no transaction block, so an audited page costs exactly one more query.
    event = ReadEvent(
        user=actor.user,
        role=actor.role or "",
        kind=kind,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        what=what[:100],
        province_id=_province_of(obj, actor),
        path_hash=path_hash(path),
    )
    using = router.db_for_write(ReadEvent)
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block or settings.READ_AUDIT_WAIT_FOR_DISK:
        # Inside a transaction (a write that also records a read, a test) the row commits with it, as it commits.
        event.save(using=using)
    else:
        _insert_without_waiting_for_disk(event, using=using)
    return event


WITHOUT_WAITING_FOR_DISK = "set_config('synchronous_commit', 'off', true)"


def _insert_without_waiting_for_disk(event: ReadEvent, *, using: str) -> None:
    """The INSERT Django's save() would send, whose RETURNING also sets ``synchronous_commit`` off for its own
    transaction (``set_config(..., true)``, evaluated before the statement commits): the INSERT commits without
    waiting for its WAL to reach the disk (settings.READ_AUDIT_WAIT_FOR_DISK). The setting ends with that
    transaction, nothing else on the connection changes; one statement, so still one query for the page (and one a
    prepared statement or PgBouncer accept)."""
    meta = ReadEvent._meta
    query = InsertQuery(ReadEvent)
    query.insert_values([field for field in meta.local_concrete_fields if not field.primary_key], [event])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    with connections[using].cursor() as cursor:
        cursor.execute(f"{sql}, {WITHOUT_WAITING_FOR_DISK}", params)
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = using


def record_read(*, request, obj=None, what: str = "") -> ReadEvent | None:
    """Record that the user of ``request`` opened the page of ``obj`` (a request, appointment, series or session
    report) or downloaded the export named ``what``. One line in the view, after the object was found (an outsider's
    404 records nothing)."""
    actor = actor_for(request.user)
    if actor.user is None:
        return None
    if obj is not None:
        kind = KINDS.get(obj._meta.label_lower)
        if kind is None:
            raise TypeError(f"record_read does not know {type(obj).__name__}: add it to audit.services.KINDS")
    else:
        kind = ReadEvent.Kind.EXPORT
    return record(actor=actor, kind=kind, path=request.get_full_path(), obj=obj, what=what)


def record_own_data(*, request, mediator) -> ReadEvent | None:
    actor = actor_for(request.user)
    if actor.user is None:
        return None
    return record(
        actor=actor, kind=ReadEvent.Kind.OWN_DATA, path=request.get_full_path(), obj=mediator, what="own-data"
    )
