"""COPY into a model's table in large batches, with an explicit column list (psycopg 3 ``cursor.copy()``).

The generator names the columns it fills; every other column of the model that is NOT NULL gets the model field's
own default (Django's defaults live in Python, not in the database), the fill time for ``auto_now`` fields, empty
text for blank strings, or the database's default (``db_default``). A column added later by a migration (a counter,
a flag) is thus filled without touching the generator, and one with no default stops the fill with a message
naming it.
"""

from __future__ import annotations

import os
import queue
import threading
import time

from django.db import connection, transaction
from django.utils import timezone


class Table:
    """The rows of one table waiting to be copied, and how many rows and seconds the copies took so far."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        self.name = model._meta.db_table
        fields = {field.column: field for field in model._meta.concrete_fields}
        unknown = [column for column in columns if column not in fields]
        if unknown:
            raise ValueError(f"{self.name} has no column {', '.join(unknown)}")
        self.columns = list(columns)
        extra_columns, extra_values = [], []
        now = timezone.now()
        for column, field in fields.items():
            if column in columns or field.null or field.primary_key:
                continue  # NULL, or the identity the database draws
            if field.has_db_default() and not field.has_default():
                continue  # the database's own default (db_default)
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
                if value is None:
                    raise ValueError(
                        f"{self.name}.{column} is NOT NULL and has no default: the region generator must fill it "
                        "(bench/region.py)."
                    )
                value = field.get_db_prep_save(value, connection)
            extra_columns.append(column)
            extra_values.append(value)
        self.columns += extra_columns
        self.constants = tuple(extra_values)
        self.rows: list[tuple] = []
        self.lock = threading.Lock()
        self.count = 0
        self.seconds = 0.0
        self.next_id = 1
        if "id" in self.columns:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{self.name}"')  # noqa: S608 - a model's table
                self.next_id = cursor.fetchone()[0] + 1

    def new_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self, rows: list[tuple] | None = None) -> None:
        """Copy the rows waiting, or ``rows`` (in the caller's transaction, on the calling thread's connection)."""
        if rows is None:
            rows = self.rows
        if not rows:
            return
        started = time.perf_counter()
        columns = ", ".join(f'"{column}"' for column in self.columns)
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with cursor.copy(f'COPY "{self.name}" ({columns}) FROM STDIN') as copy:
                write = copy.write_row
                if self.constants:
                    constants = self.constants
                    for row in rows:
                        write(row + constants)
                else:
                    for row in rows:
                        write(row)
        with self.lock:  # copier threads share the counts
            self.count += len(rows)
            self.seconds += time.perf_counter() - started
        rows.clear()

    def reset_sequence(self) -> None:
        """After rows with explicit ids: the next row Django inserts gets the next free id."""
        if "id" not in self.columns:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{self.name}\"', 'id'), "  # noqa: S608 - a model's table
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{self.name}"), false)'
            )


class Copier:
    """Copies batches of rows ({table: rows}) in one transaction each. Outside a transaction it does so in
    ``threads`` threads, each on its own connection, while the caller generates the next batch: Python and
    PostgreSQL work at the same time (batches are independent: each holds whole requests). Inside a transaction
    (the tests') it copies at once, in it."""

    def __init__(self, tables: dict[str, Table], prepare, threads: int = 2):
        self.tables = tables
        self.prepare = prepare
        self.error: BaseException | None = None
        self.backend_cpu = 0.0
        self.threaded = not connection.in_atomic_block
        self.threads = []
        if self.threaded:
            self.queue: queue.Queue = queue.Queue(maxsize=1)
            self.threads = [
                threading.Thread(target=self._run, name=f"bench-copy-{n}", daemon=True) for n in range(threads)
            ]
            for thread in self.threads:
                thread.start()

    def submit(self, batch: dict[str, list[tuple]]) -> None:
        if self.error is not None:
            raise self.error
        if self.threaded:
            self.queue.put(batch)
        else:
            self._copy(batch)

    def close(self) -> None:
        for _thread in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.error is not None:
            raise self.error

    def _copy(self, batch) -> None:
        with transaction.atomic():
            for name, rows in batch.items():
                self.tables[name].flush(rows)

    def _run(self) -> None:
        try:
            self.prepare()
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    self._copy(batch)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which raises it
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            self.backend_cpu += backend_cpu() or 0.0
            connection.close()


def backend_cpu() -> float | None:
    """CPU seconds of this thread's database backend so far, when the server runs on this machine."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except Exception:  # noqa: BLE001 - a remote server, or no /proc: just not reported
        return None
