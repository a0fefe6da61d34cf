"""Several small reads in one round trip, for pages that show many boxes (the home pages).

A home shows a dozen counts and half a dozen short lists; read one query each, they cost more in round trips than in
work. ``counts()`` reads any number of counts in one query (one scalar subquery each); ``first_of_each()`` reads the
ids of the first rows of several lists of the same model in one query (``UNION ALL`` of their limited parts, each in
its own order), so that the rows themselves are read together in one more query.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import CharField, F, OrderBy, QuerySet, Value, Window
from django.db.models.functions import RowNumber


def counts(**querysets: QuerySet) -> dict[str, int]:
    """``{name: queryset.count()}`` in one query. Each queryset is counted as it stands (a ``distinct()`` one counts
    its distinct rows); an empty one (``.none()``) counts 0 without reaching the database."""
    result = {name: 0 for name, queryset in querysets.items() if queryset.query.is_empty()}
    parts, params, names = [], [], []
    alias = None
    for name, queryset in querysets.items():
        if name in result:
            continue
        alias = alias or router.db_for_read(queryset.model)
        if queryset._fields is None:
            queryset = queryset.values("pk")  # only what the count needs, not every column
        sql, part_params = queryset.order_by().query.sql_with_params()
        # The SQL is Django's own, compiled from the queryset; the values stay parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{len(parts)})")  # noqa: S608
        params.extend(part_params)
        names.append(name)
    if parts:
        with connections[alias].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            result.update(zip(names, cursor.fetchone(), strict=True))
    return {name: result[name] for name in querysets}


def _ordering(queryset: QuerySet) -> list:
    keys = []
    for key in queryset.query.order_by:
        if isinstance(key, str):
            keys.append(F(key[1:]).desc() if key.startswith("-") else F(key).asc())
        elif isinstance(key, OrderBy):
            keys.append(key)
        else:
            keys.append(key.asc())
    return keys


def first_of_each(parts: dict[str, QuerySet], *, limit: int, ranked: bool = True) -> dict[str, list[int]]:
    """``{name: [pk, ...]}``: the pks of the first ``limit`` rows of each queryset, in its order, in one query.

    ``ranked=False`` leaves each part's pks in no order (for a caller that reads the rows in an order of its own):
    each part is then read like the queryset alone, along an index in its order until the limit, where the row
    number of a ranked part makes the database number, so read, every row of the part first."""
    selects, params = [], []
    alias = None
    for name, queryset in parts.items():
        if queryset.query.is_empty():
            continue
        alias = alias or router.db_for_read(queryset.model)
        rank = Window(RowNumber(), order_by=_ordering(queryset)) if ranked else Value(0)
        part = queryset.annotate(home_part=Value(name, output_field=CharField()), home_rank=rank).values_list(
            "home_part", "home_rank", "pk"
        )[:limit]
        sql, part_params = part.query.sql_with_params()
        selects.append(f"SELECT * FROM ({sql}) AS part_{len(selects)}")  # noqa: S608 (compiled by Django)
        params.extend(part_params)
    found: dict[str, list[int]] = {name: [] for name in parts}
    if selects:
        with connections[alias].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            for name, _rank, pk in sorted(cursor.fetchall()):
                found[name].append(pk)
    return found
