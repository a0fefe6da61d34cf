"""Several short lists of one object read in ONE query (issue #17: a page within eight queries).

A detail page shows its object with a handful of short lists hanging from it: a request's languages, countries and
proposed times; a mediator's languages, countries, trainings, qualifications, weekly times and absences. Django's
``prefetch_related`` reads each list with its own query (a round trip and the ORM's work each time). Here the lists
are read together: one ``UNION ALL`` of the related tables, each row carried as a JSON object of its columns (the
tables' columns differ; one JSON column fits them all, on PostgreSQL and SQLite alike), turned back into model
instances with each field's own conversion, and put where ``prefetch_related`` would have put them: the templates
and the code that read ``obj.languages.all()`` do not change.

Only reverse foreign keys of a few rows each. A list whose rows show a related object (a request's history with who
changed it, its comments with their authors) names it in ``with_related``: that object's columns travel in the same
JSON object (a LEFT JOIN in that part of the union) and the row gets it as ``select_related`` would have set it.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.db import connections, models
from django.db.models import F, Q, Value
from django.db.models.functions import JSONObject
from django.utils import timezone


def _value(field: models.Field, raw):
    if raw is None:
        return None
    if isinstance(field, models.DecimalField):
        return field.to_python(str(raw))
    if isinstance(field, models.DateTimeField):
        value = field.to_python(raw.replace(" ", "T", 1) if isinstance(raw, str) else raw)
        if value is not None and settings.USE_TZ and timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)  # SQLite keeps UTC without an offset
        return value
    if isinstance(field, models.BooleanField):
        return bool(raw)
    if isinstance(field, (models.DateField, models.TimeField, models.UUIDField, models.DurationField)):
        return field.to_python(raw)
    return raw


def _attname(model, name: str) -> str:
    """A relation in an ordering sorts by its id: ``mediator`` -> ``mediator_id``."""
    bare = name.lstrip("-")
    if bare == "pk":
        return name
    return name[: len(name) - len(bare)] + model._meta.get_field(bare).attname


def _sort_key(ordering: list[str], *, nulls_largest: bool):
    """The database's order in Python: NULLs sort as the largest values on PostgreSQL, the smallest on SQLite."""
    null_rank = 1 if nulls_largest else -1

    def key(obj):
        values = []
        for name in ordering:
            value = getattr(obj, name.lstrip("-"))
            ranked = (null_rank, 0) if value is None else (0, value)
            values.append(_Reversed(ranked) if name.startswith("-") else _Ordered(ranked))
        return values

    return key


class _Ordered:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return self.value < other.value

    def __eq__(self, other):
        return self.value == other.value


class _Reversed(_Ordered):
    def __lt__(self, other):
        return other.value < self.value


def _prefix(name: str) -> str:
    return f"{name}__"


# The SQL of each shape of query read for ONE object (the model, its lists, their related rows, the database), with
# where its id goes: Django compiles the UNION of a request page's five lists in about as long as PostgreSQL runs it,
# at every view. A detail page reads the same shape for every object, so it is compiled once per process.
_COMPILED: dict[tuple, tuple[str, tuple, tuple[int, ...]]] = {}
_SHAPES = 256
# An id no table holds, compiled where the object's id goes, then looked for among the parameters.
_MARK = -7_340_173_541


def _hashable(key: tuple) -> bool:
    try:
        hash(key)
    except TypeError:  # a condition on a list of values
        return False
    return True


def _rows_of_one(key: tuple, build, database: str, pk):
    """The rows of the query ``build()`` makes, for one object whose id is ``pk``, from SQL compiled once per ``key``:
    the query is built (not only compiled) the first time only."""
    compiled = _COMPILED.get(key)
    if compiled is None:
        query = build()
        marked = query.query.clone()
        for part in [marked, *marked.combined_queries]:
            _mark(part)
        sql, params = marked.get_compiler(using=database).as_sql()
        places = tuple(i for i, value in enumerate(params) if value == _MARK)
        if len(places) != len(marked.combined_queries or [marked]):  # pragma: no cover - a shape not foreseen
            return query
        if len(_COMPILED) >= _SHAPES:
            _COMPILED.clear()  # shapes with a date in them: a long-lived process keeps the day's
        compiled = _COMPILED[key] = (sql, tuple(params), places)
    sql, params, places = compiled
    params = list(params)
    for place in places:
        params[place] = pk
    connection = connections[database]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(int(index), row if isinstance(row, dict) else json.loads(row)) for index, row in rows]


def _mark(query) -> None:
    """Put :data:`_MARK` where the object's id is in ``query``'s one ``…_id IN (…)`` condition."""
    children = query.where.children
    for place, child in enumerate(children):
        target = getattr(getattr(child, "lhs", None), "target", None)
        if getattr(child, "lookup_name", None) == "in" and getattr(target, "is_relation", False):
            children[place] = type(child)(child.lhs, [_MARK])  # a new lookup: the clone shares the original's


def prefetch_together(
    objects, *names: str, where: dict[str, Q] | None = None, with_related: dict[str, str] | None = None
) -> None:
    """Read the reverse foreign keys ``names`` of ``objects`` (model instances of one model) in one query, in each
    related model's default order (then by id), as ``prefetch_related(*names)`` would; ``where`` keeps only some rows
    of a list (``{"absences": Q(end_date__gte=today)}``); ``with_related`` names, for a list, the foreign key of its
    rows to read with them (``{"history": "by"}``: ``Prefetch("history", StatusChange.objects.select_related("by"))``
    in the same query)."""
    objects = [obj for obj in objects if obj is not None]
    if not objects or not names:
        return
    model = type(objects[0])
    database = objects[0]._state.db or "default"  # where the objects were read, as prefetch_related reads
    by_pk = {obj.pk: obj for obj in objects}
    meta = {}
    for index, name in enumerate(names):
        relation = model._meta.get_field(name)  # a ManyToOneRel
        related = relation.related_model
        joined = None
        if (with_related or {}).get(name):
            forward = related._meta.get_field(with_related[name])  # a ForeignKey of the list's rows
            joined = (forward, list(forward.related_model._meta.concrete_fields))
        meta[index] = (name, related, list(related._meta.concrete_fields), relation.field, relation, joined)

    def build():
        parts = []
        for index, (name, related, fields, fk, _relation, joined) in meta.items():
            columns = {f.attname: F(f.attname) for f in fields}
            if joined is not None:
                forward, target_fields = joined
                columns |= {_prefix(forward.name) + f.attname: F(f"{forward.name}__{f.attname}") for f in target_fields}
            parts.append(
                related._base_manager.db_manager(database)
                .filter(**{f"{fk.attname}__in": list(by_pk)})
                .filter((where or {}).get(name, Q()))
                .order_by()
                .values_list(Value(index), JSONObject(**columns))
            )
        return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]

    found: dict[tuple[int, object], list] = {}
    # A list kept by ``where`` (a mediator's absences from today) is part of the shape: its SQL is compiled once for
    # each value it holds (once a day for today's date).
    key = (model._meta.label, names, tuple(sorted((with_related or {}).items())), tuple(sorted((where or {}).items())),
           database)  # fmt: skip
    if len(by_pk) == 1 and _hashable(key):
        rows = _rows_of_one(key, build, database, next(iter(by_pk)))
    else:
        rows = build()
    for index, row in rows:
        name, related, fields, fk, _relation, joined = meta[index]
        values = [_value(field, row.get(field.attname)) for field in fields]
        instance = related.from_db(database, [f.attname for f in fields], values)
        if joined is not None:
            forward, target_fields = joined
            other = None
            if getattr(instance, forward.attname) is not None:
                prefix = _prefix(forward.name)
                other = forward.related_model.from_db(
                    database,
                    [f.attname for f in target_fields],
                    [_value(f, row.get(prefix + f.attname)) for f in target_fields],
                )
            forward.set_cached_value(instance, other)
        found.setdefault((index, getattr(instance, fk.attname)), []).append(instance)
    nulls_largest = connections[database].vendor != "sqlite"
    key_for = {
        # Orderings written as expressions are not followed (none of the lists read here has one).
        index: _sort_key(
            [_attname(related, name) for name in [*(related._meta.ordering or []), "pk"] if isinstance(name, str)],
            nulls_largest=nulls_largest,
        )
        for index, (_name, related, *_rest) in meta.items()
    }
    for index, (name, _related, _fields, fk, relation, _joined) in meta.items():
        for pk, obj in by_pk.items():
            rows = sorted(found.get((index, pk), []), key=key_for[index])
            for row in rows:
                fk.set_cached_value(row, obj)  # row.request is the object itself, as prefetch_related sets it
            manager = getattr(obj, name)
            queryset = manager.all()
            queryset._result_cache = rows
            queryset._prefetch_done = True
            if not hasattr(obj, "_prefetched_objects_cache"):
                obj._prefetched_objects_cache = {}
            obj._prefetched_objects_cache[relation.field.remote_field.cache_name] = queryset
