"""The whole demo copied back for a browser test (tests/demo_snapshot.py) is the demo the builders made: every row of
every table, the files, the users, and new rows still get ids of their own."""

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection

from accounts import demo as accounts_demo
from accounts.models import Province

from . import demo_snapshot
from . import factories as f

# Committed, as in a browser test: the copy is taken from rows another thread could read, and put back the same way.
pytestmark = pytest.mark.django_db(transaction=True)


def every_row() -> dict[str, list[dict]]:
    return {model._meta.label: list(model._base_manager.order_by("pk").values()) for model in demo_snapshot._models()}


def every_file() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def empty_everything() -> None:
    """What the flush between two browser tests does, and more: every table emptied, its ids counted from 1 again,
    the files gone."""
    tables = [model._meta.db_table for model in demo_snapshot._models()]
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, reset_sequences=True))
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


# The copy serves on the day it was made: the clock stands still at an awkward moment (the last half hour of a Sunday),
# so that the build and the copy fall on the same day whenever the suite runs.
@time_machine.travel(datetime(2026, 12, 6, 23, 30, tzinfo=ZoneInfo("Europe/Rome")), tick=False)
def test_the_demo_copied_back_into_an_emptied_database_is_the_demo_the_builders_made(monkeypatch):
    monkeypatch.setattr(demo_snapshot, "_snapshots", {})  # this process's copy, if any, is not this test's
    users = demo_snapshot.whole_demo(accounts_demo.build()["users"])  # built by the builders, and kept
    made, files = every_row(), every_file()
    assert len(made["requests_app.MediationRequest"]) >= 60 and len(made["mediators.Mediator"]) >= 40
    assert any(name.endswith(".pdf") for name in files)

    empty_everything()
    assert not Province.objects.exists()
    copied = demo_snapshot.whole_demo({})  # copied back

    assert every_row() == made
    assert every_file() == files
    assert {name: user.pk for name, user in copied.items()} == {name: user.pk for name, user in users.items()}
    assert copied["mediatore.cremona"].email == "mediatore.cremona@example.org"
    # The ids counted from 1 again: a new row must still get one no copied row holds.
    province = f.ProvinceFactory()
    assert province.pk > max(row["id"] for row in made["accounts.Province"])
