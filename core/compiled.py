"""Queries built and compiled once per shape, run again with their parameters (issue #17).

A page reads its rows through the ORM, which builds and compiles the query at every view; on the pages near the
benchmark's bars that was the largest share of the CPU time left, more than the database spent running the queries
(a session report's page: 1.6 ms of Python for a query of 0.1 ms). Here a query is built and compiled ONCE for each
``key`` and database in each process, and its rows are turned into the same instances the queryset would make
(``ModelIterable``'s steps: the model's columns, the joined objects, the annotations; ``prefetch_related`` after):

- :func:`one_by_pk`: one object by its id (a detail page's object with its joined rows and the reader's scope,
  ``accounts.scoping.one_for_user_or_404``), a marker compiled where the id goes and replaced at each call;
- :func:`rows_of` and :func:`count_of`: a whole query (its rows, or how many there are).

The caller's key must hold every value the query is made of (for :func:`one_by_pk`, all but the id): the same key,
the same SQL. What no key can know (rows added, changed or removed) is read at each call. A query that cannot be
kept (the marker not found exactly once among the parameters, an empty scope) is read the ordinary way.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import prefetch_related_objects
from django.db.models.query import ModelIterable, QuerySet, get_related_populators

# An id no table holds (within even a 32-bit column's range, where Django would drop a condition on a larger number),
# compiled where the object's id goes, then looked for among the parameters.
_MARK = -2_073_401_735
# Shapes kept per process: one per page, role and scope (a coordinator's district, a mediator's user); when full, all
# are dropped and compiled again as they come. A shape keeps its compiler (about 45 KiB measured on a request's and a
# report's page): at most some 23 MB a process.
SHAPES = 512
# Parameters a key that says nothing of the day cannot stand for (``rows_of(timeless=True)``): dates, times and
# durations, and their text as SQLite receives them (a search for such a text is then read the ordinary way).
_MOMENTS = (dt.date, dt.time, dt.timedelta)
_MOMENT_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}.*)?|\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
_COMPILED: dict = {}


class _Compiled:
    __slots__ = (
        "sql",
        "params",
        "place",
        "compiler",
        "init_list",
        "start",
        "end",
        "populators",
        "annotations",
        "model",
        "prefetch",
    )

    def __init__(self, queryset, database: str, *, marked: bool = True):
        compiler = queryset.query.get_compiler(using=database)
        self.sql, params = compiler.as_sql()
        places = [index for index, value in enumerate(params) if value == _MARK] if marked else [None]
        if len(places) != 1 or compiler.has_extra_select:
            raise _NotMarkable
        self.params, self.place, self.compiler = tuple(params), places[0], compiler
        self.prefetch = tuple(queryset._prefetch_related_lookups)
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, database)
        self.annotations = tuple((compiler.annotation_col_map or {}).items())

    def rows(self, pk, database: str, *, most: int | None = 2) -> list:
        params = list(self.params)
        if self.place is not None:
            params[self.place] = pk
        with connections[database].cursor() as cursor:
            cursor.execute(self.sql, params)
            found = cursor.fetchall() if most is None else cursor.fetchmany(most)
        return list(self.compiler.results_iter(results=[found]))

    def objects(self, pk, database: str) -> list:
        """Every row as an instance, their ``prefetch_related`` done."""
        found = [self.instance(row, database) for row in self.rows(pk, database, most=None)]
        if found and self.prefetch:
            # Each view its own copy of a ``Prefetch`` (prefetching marks it as it goes).
            prefetch_related_objects(found, *(copy.copy(lookup) for lookup in self.prefetch))
        return found

    def instance(self, row, database: str):
        obj = self.model.from_db(database, self.init_list, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, obj)
        for name, position in self.annotations:
            setattr(obj, name, row[position])
        return obj


class _NotMarkable(Exception):
    pass


def _keep(key: tuple, entry):
    """Keep ``entry`` under ``key``; when :data:`SHAPES` are kept, drop them all first."""
    if len(_COMPILED) >= SHAPES:
        _COMPILED.clear()
    _COMPILED[key] = entry
    return entry


def _missing(model) -> Exception:
    return model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")


def _ordinary(queryset, pk):
    return queryset.get(pk=pk)


def _prepared(model, pk, database: str):
    """The id as the query would send it: ``ValueError``/``TypeError`` for one that is not a number (as ``get`` raises
    them), ``DoesNotExist`` for a number no row can have (beyond the column's range: ``get`` finds nothing there
    either, where the database would refuse the number)."""
    value = model._meta.pk.get_prep_value(pk)
    if isinstance(value, int) and not _in_range(model, value, database):
        raise _missing(model)
    return value


def _in_range(model, value: int, database: str) -> bool:
    field, ops = model._meta.pk, connections[database].ops
    if field.get_internal_type() not in ops.integer_field_ranges:
        return True
    low, high = ops.integer_field_range(field.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


def one_by_pk(model, key: tuple, build, pk, *, database: str):
    """The ``model`` object ``build().get(pk=pk)`` returns (``DoesNotExist`` when there is none), read with SQL compiled
    once per ``key`` on ``database``. ``build()`` is called only the first time a key is seen (and whenever the query
    cannot be compiled once: a scope that is empty, a ``prefetch_related``)."""
    pk = _prepared(model, pk, database)
    full_key = (model._meta.label, *key, database)
    compiled = _COMPILED.get(full_key)
    if compiled is None:
        queryset = build().using(database)
        if (
            queryset.query.is_empty()
            or not _in_range(model, _MARK, database)  # a small integer id: no marker fits it
            or queryset._prefetch_related_lookups
            or queryset._iterable_class is not ModelIterable
            or queryset._known_related_objects
        ):
            return _ordinary(queryset, pk)
        marked = queryset.filter(pk=_MARK).order_by()[:2]
        try:
            compiled = _Compiled(marked, database)
        except EmptyResultSet:  # a condition no row meets (an empty list of ids in the reader's scope)
            raise _missing(model) from None
        except _NotMarkable:  # pragma: no cover - a shape not foreseen (a condition on the marker's value)
            return _ordinary(queryset, pk)
        _keep(full_key, compiled)
    rows = compiled.rows(pk, database)
    if not rows:
        raise _missing(model)
    if len(rows) > 1 and rows[0][compiled.start] != rows[1][compiled.start]:  # pragma: no cover - a unique id
        raise compiled.model.MultipleObjectsReturned(f"get() returned more than one {compiled.model._meta.object_name}")
    return compiled.instance(rows[0], database)


def rows_of(key: tuple, build, *, database: str, timeless: bool = False, constants: tuple = ()) -> list:
    """The model instances of the queryset ``build()`` makes (sliced or not, its ``prefetch_related`` done after), read
    with SQL compiled once per ``key`` on ``database``. Every value the query is built from must be in ``key``: the
    SQL and its parameters are kept whole, only the rows are read again.

    ``timeless``: the caller's key holds no day or time, so a query whose parameters hold one (an annotation that
    reads today, added after the key was written) is read with its SQL compiled for this call only, never kept;
    ``constants`` are the dates the code itself writes into the query (a sort key's "no deadline"), which may be."""
    full_key = ("rows", *key, database)
    compiled = _COMPILED.get(full_key)
    if compiled is None:
        queryset = build().using(database)
        ordinary = queryset._iterable_class is not ModelIterable or queryset._known_related_objects
        if ordinary or queryset.query.is_empty():
            return list(queryset)
        try:
            compiled = _Compiled(queryset, database, marked=False)
        except EmptyResultSet:
            return []
        except _NotMarkable:  # pragma: no cover - an ORDER BY of a column not selected
            return list(queryset)
        known = {*constants, *map(str, constants)}
        if not (timeless and any(_is_moment(value) and value not in known for value in compiled.params)):
            _keep(full_key, compiled)
    return compiled.objects(None, database)


def first_row(key: tuple, build, value: int, *, database: str) -> tuple | None:
    """The first row of the queryset ``build(marker)`` makes, with the id ``value`` where the marker is, as the
    database sends it (no conversion: for counts and flags), or None without one; compiled once per ``key`` on
    ``database`` (every value the query is made of but ``value`` in it)."""
    full_key = ("row", *key, database)
    entry = _COMPILED.get(full_key)
    if entry is None:
        try:
            sql, params = build(_MARK).query.get_compiler(using=database).as_sql()
        except EmptyResultSet:
            return None
        places = [index for index, param in enumerate(params) if param == _MARK]
        if len(places) != 1:  # pragma: no cover - a shape not foreseen (a condition on the marker's value)
            return _first(*build(value).query.get_compiler(using=database).as_sql(), database=database)
        entry = _keep(full_key, (sql, tuple(params), places[0]))
    sql, params, place = entry
    params = list(params)
    params[place] = int(value)
    return _first(sql, params, database=database)


def _first(sql: str, params, *, database: str) -> tuple | None:
    with connections[database].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _is_moment(value) -> bool:
    return isinstance(value, _MOMENTS) or (isinstance(value, str) and _MOMENT_TEXT.fullmatch(value) is not None)


def rows_by(key: tuple, build, value: int, *, database: str) -> list:
    """:func:`rows_of` for a query with one id among its values (a request's offers): ``build(marker)`` makes the
    queryset with the marker where ``value`` goes, compiled once per ``key`` (every other value it is made of), and
    each call puts ``value`` in the marker's place."""
    full_key = ("rows-by", *key, database)
    compiled = _COMPILED.get(full_key)
    if compiled is None:
        queryset = build(_MARK).using(database)
        ordinary = queryset._iterable_class is not ModelIterable or queryset._known_related_objects
        if ordinary or queryset.query.is_empty() or not _in_range(queryset.model, _MARK, database):
            return list(build(value).using(database))
        try:
            compiled = _Compiled(queryset, database)
        except EmptyResultSet:
            return []
        except _NotMarkable:  # pragma: no cover - a shape not foreseen (a condition on the marker's value)
            return list(build(value).using(database))
        _keep(full_key, compiled)
    return compiled.objects(int(value), database)


def count_of(key: tuple, build, *, database: str) -> int:
    """How many rows the queryset ``build()`` makes has, counted by SQL compiled once per ``key`` on ``database`` (as
    :func:`rows_of`, every value the query is built from must be in ``key``)."""
    full_key = ("count", *key, database)
    entry = _COMPILED.get(full_key)
    if entry is None:
        queryset = build().using(database)
        if queryset.query.is_empty():
            return 0
        try:
            sql, params = queryset.order_by().values("pk").query.get_compiler(using=database).as_sql()
        except EmptyResultSet:
            return 0
        # The query's own SQL as compiled by Django, its values as parameters: nothing of a request's text in it.
        entry = _keep(full_key, (f"SELECT COUNT(*) FROM ({sql}) counted", tuple(params)))  # noqa: S608
    with connections[database].cursor() as cursor:
        cursor.execute(*entry)
        return cursor.fetchone()[0]


def form_key(form) -> tuple:
    """What a filter form makes of a query, for a key: bound or not, valid or not, and each value it was given (a row
    by its model and id, as two districts may share a name; a list item by item; anything else by its type and
    text)."""
    valid = form.is_bound and form.is_valid()
    given = tuple(sorted((name, _value_key(value)) for name, value in getattr(form, "cleaned_data", {}).items()))
    return (form.is_bound, valid, given)


def _value_key(value) -> object:
    meta = getattr(value, "_meta", None)
    if meta is not None:
        return (meta.label, value.pk)
    if isinstance(value, set | frozenset):
        return tuple(sorted((_value_key(item) for item in value), key=repr))
    if isinstance(value, list | tuple | QuerySet):
        return tuple(_value_key(item) for item in value)
    return (type(value).__name__, str(value))


def forget() -> None:
    """Drop every compiled shape (tests that change the schema or a backend's settings)."""
    _COMPILED.clear()
