"""The read replica: reads inside ``reading_from_replica()`` go to it, writes and the reads after them to the primary.

Two database aliases, as Django's "Testing primary/replica configurations" describes: ``replica`` is a test mirror
of ``default`` (the same test database through a second connection), so each query is seen on the connection the
router chose. The data is committed (``transactional_db``) for the second connection to read it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Province
from accounts.scoping import actor_for
from core.replica import REPLICA, reading_from_primary, reading_from_replica
from reporting import exports, services

from . import factories as f
from .conftest import login_client
from .test_reporting import build_data
from .test_settings import read_settings


@pytest.fixture
def replica(transactional_db):
    """A second alias, ``replica``, mirroring the test database (added after the test database is set up, as
    DATABASE_REPLICA_URL would have added it to DATABASES)."""
    default = connections["default"].settings_dict
    connections.settings[REPLICA] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    # The test case was set up before the alias existed and refuses to open a connection to an alias it does not
    # know; a connection opened here, by hand, is the one the test uses.
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


class Queries:
    """The SQL each connection ran inside the block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections[REPLICA])
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc_info):
        self.replica.__exit__(*exc_info)
        self.primary.__exit__(*exc_info)

    def on_primary(self) -> list[str]:
        return [query["sql"] for query in self.primary.captured_queries]

    def on_replica(self) -> list[str]:
        return [query["sql"] for query in self.replica.captured_queries]


def test_reads_inside_the_scope_go_to_the_replica(replica):
    province = f.ProvinceFactory(name="Provincia di Padania")
    with Queries() as queries, reading_from_replica():
        found = list(Province.objects.filter(pk=province.pk))
    assert found == [province] and found[0]._state.db == REPLICA
    assert len(queries.on_replica()) == 1 and queries.on_primary() == []


def test_reads_outside_the_scope_go_to_the_primary(replica):
    province = f.ProvinceFactory()
    with Queries() as queries:
        assert Province.objects.get(pk=province.pk) == province
    assert len(queries.on_primary()) == 1 and queries.on_replica() == []


def test_writes_go_to_the_primary_and_the_reads_after_them_too(replica):
    with Queries() as queries, reading_from_replica():
        assert not Province.objects.filter(slug="padania").exists()  # before any write: the replica
        Province.objects.create(name="Provincia di Padania", slug="padania")
        # The replica may not have it yet: read after the write, it is read where it was written.
        assert Province.objects.get(slug="padania").name == "Provincia di Padania"
    on_primary = queries.on_primary()
    assert len(queries.on_replica()) == 1
    assert any(sql.startswith("INSERT") for sql in on_primary)
    assert on_primary[-1].startswith("SELECT") and '"slug" = ' in on_primary[-1]
    assert not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in queries.on_replica())


def test_a_write_ends_only_its_own_scope(replica):
    with reading_from_replica():
        Province.objects.create(name="Provincia di Padania", slug="padania")
    with reading_from_replica():
        assert Province.objects.all().db == REPLICA


def test_a_transaction_opened_inside_the_scope_reads_the_primary(replica):
    with reading_from_replica():
        with transaction.atomic():
            assert Province.objects.all().db == "default"
        assert Province.objects.all().db == REPLICA


def test_bookkeeping_outside_the_scope_leaves_the_scope_reading_the_replica(replica):
    province = f.ProvinceFactory()
    with reading_from_replica():
        with reading_from_primary():
            assert Province.objects.all().db == "default"
            Province.objects.filter(pk=province.pk).update(name="Provincia di Padania")
        assert Province.objects.all().db == REPLICA


def test_the_scope_ends_with_its_block_even_on_an_error(replica):
    with pytest.raises(LookupError), reading_from_replica():
        raise LookupError("the report's computation failed")
    assert Province.objects.all().db == "default"


@pytest.mark.django_db
def test_without_a_replica_everything_uses_the_primary():
    assert REPLICA not in connections.settings
    province = f.ProvinceFactory()
    with CaptureQueriesContext(connections["default"]) as queries, reading_from_replica():
        assert Province.objects.get(pk=province.pk) == province
    assert len(queries.captured_queries) == 1


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "reporting")
    assert not router.allow_migrate(REPLICA, "reporting")


def test_the_dashboard_reads_its_figures_from_the_replica(replica):
    data = build_data()
    client = login_client(data.staff)
    with Queries() as queries:
        response = client.get(reverse("reporting:dashboard"), {"dal": "2025-01-01", "al": "2025-12-31"})
    assert response.status_code == 200
    on_replica = " ".join(queries.on_replica())
    # The figures come from the monthly aggregates (reporting.aggregates), read on the replica.
    assert "reporting_monthlyaggregate" in on_replica
    assert not any("reporting_monthlyaggregate" in sql for sql in queries.on_primary())
    # Who is asking (the user and the memberships) is read on the primary (the session comes from the cache).
    assert any("accounts_user" in sql for sql in queries.on_primary())
    assert not any("accounts_user" in sql or "django_session" in sql for sql in queries.on_replica())


@pytest.fixture
def unreachable_replica(transactional_db, monkeypatch, tmp_path):
    """A ``replica`` alias nobody answers on: a closed port for PostgreSQL, a file in a missing folder for SQLite."""
    import socket

    from core import replica as replica_module

    default = connections["default"].settings_dict
    if default["ENGINE"].endswith("sqlite3"):
        nowhere = {"NAME": str(tmp_path / "missing" / "replica.sqlite3")}
    else:
        with socket.socket() as sock:  # a port that was free a moment ago: nothing listens on it
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        nowhere = {"HOST": "127.0.0.1", "PORT": str(port), "OPTIONS": {**default["OPTIONS"], "connect_timeout": 2}}
    connections.settings[REPLICA] = {**default, **nowhere, "TEST": {**default["TEST"], "MIRROR": None}}
    monkeypatch.setattr(replica_module, "_unreachable_until", 0.0)
    try:
        yield replica_module
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def test_a_replica_that_does_not_answer_leaves_the_dashboard_to_the_primary_and_is_left_alone_a_while(
    unreachable_replica, monkeypatch
):
    # What is logged, read from the logger's own call (another test may have configured logging since start-up).
    warned = []
    monkeypatch.setattr(unreachable_replica.logger, "warning", lambda message, *args: warned.append(message % args))
    data = build_data()
    client = login_client(data.staff)
    with CaptureQueriesContext(connections["default"]) as primary:
        response = client.get(reverse("reporting:dashboard"), {"dal": "2025-01-01", "al": "2025-12-31"})
    assert response.status_code == 200
    assert any("reporting_monthlyaggregate" in query["sql"] for query in primary.captured_queries)
    assert len(warned) == 1 and warned[0].startswith("The read replica does not answer")

    # Within REPLICA_RETRY_SECONDS the replica is not tried again (no wait of a connection timeout per page) ...
    attempts = []
    monkeypatch.setattr(connections[REPLICA], "connect", lambda: attempts.append(1))
    assert client.get(reverse("reporting:dashboard")).status_code == 200
    assert attempts == []
    # ... and after them it is.
    monkeypatch.setattr(unreachable_replica, "_unreachable_until", 0.0)
    with reading_from_replica():
        assert Province.objects.all().db == REPLICA
    assert attempts == [1]


def test_a_report_job_reads_its_figures_from_the_replica_and_writes_its_progress_to_the_primary(replica):
    data = build_data()
    with Queries() as queries:
        # Committed at once (no test transaction here): the job runs as it is asked for (eager Celery).
        job = services.report_job_create(
            actor=actor_for(data.staff),
            province=data.province,
            project=data.project,
            date_from=dt.date(2025, 1, 1),
            date_to=dt.date(2025, 12, 31),
            format="csv",
        )
    on_primary, on_replica = queries.on_primary(), queries.on_replica()
    assert any("scheduling_appointment" in sql for sql in on_replica)
    # Reads only (on PostgreSQL the CSV's rows come through a server-side cursor, DECLARE … CURSOR FOR SELECT).
    assert not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in on_replica)
    assert not any("scheduling_appointment" in sql for sql in on_primary)
    updates = [sql for sql in on_primary if sql.startswith("UPDATE") and "reporting_reportjob" in sql]
    assert len(updates) >= 3  # the claim, the progress, done
    job.refresh_from_db()
    assert job.status == "done" and job.file


def test_a_replica_address_becomes_a_second_alias_mirrored_in_the_tests(tmp_path):
    result = read_settings(
        tmp_path,
        "from django.conf import settings as s; r = s.DATABASES['replica']; "
        "print(r['HOST'], r['NAME'], r['TEST']['MIRROR'], r['CONN_MAX_AGE'], s.DATABASE_ROUTERS)",
        DEBUG="1",
        DATABASE_URL="postgres://mediazione@primary.example.org:5432/mediazione",
        DATABASE_REPLICA_URL="postgres://mediazione@replica.example.org:5432/mediazione",
    )
    assert result.stdout.split() == [
        "replica.example.org",
        "mediazione",
        "default",
        "60",
        "['core.replica.ReplicaRouter']",
    ]


def test_without_a_replica_address_there_is_no_replica(tmp_path):
    result = read_settings(tmp_path, "from django.conf import settings as s; print(sorted(s.DATABASES))", DEBUG="1")
    assert result.stdout.strip() == "['default']"


def test_a_replica_that_is_not_postgresql_is_reported(tmp_path):
    result = read_settings(
        tmp_path,
        "from mediazione.checks import configuration_errors as c; from django.conf import settings as s; "
        "print(sorted(s.DATABASES)); print(c())",
        DEBUG="1",
        DATABASE_REPLICA_URL="sqlite:////tmp/replica.sqlite3",
    )
    assert result.stdout.splitlines()[0] == "['default']"
    assert "DATABASE_REPLICA_URL is not a postgres:// address" in result.stdout


def test_behind_pgbouncer_server_side_cursors_are_off(tmp_path):
    code = (
        "from django.db import connections as c; "
        "print(c['default'].settings_dict['DISABLE_SERVER_SIDE_CURSORS'], c['default'].settings_dict['CONN_MAX_AGE'])"
    )
    url = "postgres://mediazione@pgbouncer:5432/mediazione"
    behind = read_settings(tmp_path, code, DEBUG="1", DATABASE_URL=url, DATABASE_PGBOUNCER="1")
    direct = read_settings(tmp_path, code, DEBUG="1", DATABASE_URL=url)
    # Persistent connections to PgBouncer stay: cheap for it, and one connection less to open per request.
    assert behind.stdout.split() == ["True", "60"]
    assert direct.stdout.split() == ["False", "60"]


def test_a_report_job_keeps_reading_the_replica_after_writing_its_progress(replica, monkeypatch):
    data = build_data()

    def writer(scope, stream, progress):
        stream.write(f"{Province.objects.filter(pk=scope.province.pk).count()}\n")
        progress(50)  # an UPDATE of the job, on the primary
        stream.write(f"{Province.objects.filter(slug='padania').count()}\n")

    monkeypatch.setitem(exports.WRITERS, "csv", writer)
    with Queries() as queries:
        job = services.report_job_create(
            actor=actor_for(data.staff),
            province=data.province,
            date_from=dt.date(2025, 1, 1),
            date_to=dt.date(2025, 12, 31),
            format="csv",
        )
    provinces_read = [sql for sql in queries.on_replica() if "accounts_province" in sql]
    assert len(provinces_read) == 2
    assert any("progress" in sql and sql.startswith("UPDATE") for sql in queries.on_primary())
    job.refresh_from_db()
    assert job.status == "done"
