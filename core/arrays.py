"""``column = ANY(ARRAY(subquery))``: a filter the PostgreSQL planner reads as a list of values to look up by index.

``column IN (subquery)`` is planned as a join: when the subquery's rows are a fair share of the table it filters (a
province's 2,000 mediators among 10,000), the planner reads the whole other table (a Seq Scan of every mediator's
languages) and hashes it. Handed the subquery's result as an array, it looks each value up in the column's index
instead (issue #17: no Seq Scan of a table over 10,000 rows in a page's queries). Other databases get the plain
``IN``, which means the same."""

from __future__ import annotations

from django.db.models import BooleanField, Expression, F, QuerySet, Subquery


class AnyOf(Expression):
    """``queryset.filter(AnyOf("mediator_id", Mediator.objects.filter(...).values("pk")))``. For ``filter()``: in
    ``exclude()`` a NULL column would drop the row (SQL's NULL logic), where Django's ``__in`` keeps it."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str | F, queryset: QuerySet):
        super().__init__()
        self.column = F(column) if isinstance(column, str) else column
        # A set of values: a model's default ordering would only make the database sort them (and join what it sorts
        # by: a district's name for offices). A sliced queryset keeps its order, which chose its rows.
        if isinstance(queryset, QuerySet) and not queryset.query.is_sliced:
            queryset = queryset.order_by()
        self.subquery = Subquery(queryset)

    def get_source_expressions(self):
        return [self.column, self.subquery]

    def set_source_expressions(self, exprs):
        self.column, self.subquery = exprs

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return f"{column} IN {subquery}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)
