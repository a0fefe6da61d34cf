"""The demo of `manage.py demo_data` (or a part of it), built once per test process and day, then copied back for
each test.

Browser tests need committed rows (the live server reads them from its own thread), so each of them runs on an
emptied database (pytest-django's ``transactional_db``) and used to build the whole demo again: 10–14 seconds a test
on PostgreSQL, its PDFs included. The first test of a process builds it with the builders, as `make demo` does; this
module then keeps every row of every table and the files the demo wrote, and the next tests get the same rows back
in one transaction (raw inserts of the kept rows, sequences moved past them, the files copied): under a second.

The demo is made around today, so a copy is used only on the day it was made (Europe/Rome) and for 15 minutes.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from mediazione.management.commands.demo_data import BUILDERS

KEEP_SECONDS = 15 * 60
BATCH = 500


@dataclass
class _Snapshot:
    day: date
    made_at: float  # time.monotonic()
    rows: list[tuple[type, list]]
    media: Path
    users: dict[str, int]  # demo user name -> pk
    results: list  # what each builder returned


_snapshots: dict[tuple, _Snapshot] = {}


def _models() -> list[type]:
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _take(users: dict[str, User], results: list, using: str) -> _Snapshot:
    rows = [(model, list(model._base_manager.using(using).order_by())) for model in _models()]
    media = Path(tempfile.mkdtemp(prefix="demo-media-"))
    atexit.register(shutil.rmtree, media, ignore_errors=True)
    if Path(settings.MEDIA_ROOT).exists():
        shutil.copytree(settings.MEDIA_ROOT, media, dirs_exist_ok=True)
    return _Snapshot(
        day=timezone.localdate(),
        made_at=time.monotonic(),
        rows=rows,
        media=media,
        users={name: user.pk for name, user in users.items()},
        results=results,
    )


def _restore(snapshot: _Snapshot, using: str) -> dict[str, User]:
    connection = connections[using]
    # Foreign keys are checked at the commit (Django creates them deferred, on PostgreSQL and SQLite alike).
    with transaction.atomic(using=using):
        # The flush after the last test left only what post_migrate writes (content types, permissions) and the
        # demo's users of this test: the kept rows replace them, with the ids the demo's rows point to.
        for model, _objects in reversed(snapshot.rows):
            model._base_manager.using(using).all()._raw_delete(using)
        for model, objects in snapshot.rows:
            fields = model._meta.local_concrete_fields
            for start in range(0, len(objects), BATCH):
                model._base_manager.using(using)._insert(
                    objects[start : start + BATCH], fields=fields, raw=True, using=using
                )
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [model for model, _objects in snapshot.rows]):
                cursor.execute(sql)
    ContentType.objects.clear_cache()
    shutil.copytree(snapshot.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    by_pk = User.objects.using(using).in_bulk(snapshot.users.values())
    return {name: by_pk[pk] for name, pk in snapshot.users.items()}


def _read_again(value, using: str):
    """A builder's result with every row in it read again from the database (its ids are the copy's)."""
    if isinstance(value, Model):
        return type(value)._base_manager.using(using).get(pk=value.pk)
    if isinstance(value, dict):
        return {key: _read_again(item, using) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_read_again(item, using) for item in value)
    return value


def demo_built_by(builders, users: dict[str, User], using: str = DEFAULT_DB_ALIAS) -> tuple[dict[str, User], list]:
    """The demo the ``builders`` make, on a database that holds the demo's organisations and users (``users``, from
    ``accounts.demo.build``): built by them the first time in this process today, copied back after that. Returns
    the demo users and what each builder returned, read again."""
    key = (connections[using].settings_dict["NAME"], tuple(builders))
    snapshot = _snapshots.get(key)
    fresh = snapshot is not None and (
        snapshot.day == timezone.localdate() and time.monotonic() - snapshot.made_at < KEEP_SECONDS
    )
    if fresh:
        return _restore(snapshot, using), _read_again(snapshot.results, using)
    results = [build() for build in builders]
    _snapshots[key] = _take(users, results, using)
    return users, results


def whole_demo(users: dict[str, User], using: str = DEFAULT_DB_ALIAS) -> dict[str, User]:
    """The whole demo of `manage.py demo_data` (:func:`demo_built_by` its builders); returns the demo users."""
    return demo_built_by(BUILDERS[1:], users, using)[0]
