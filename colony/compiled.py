"""A hot query's SQL compiled once per process, then run with each request's values.

Django compiles a queryset to SQL on every evaluation; for the cycle page's queries (window
aggregates, annotations, joins) that Python work costs about as much as PostgreSQL takes to run
them. The SQL is the same every time but for a few values, so `CompiledQuery` compiles it once
with stand-in values, remembers where each stand-in sits among the parameters, and afterwards
runs the same SQL with the real values in those places. Rows become model instances the way
Django's ModelIterable makes them (converters, select_related objects, annotations).

On PostgreSQL the compiled SQL also runs as a prepared statement (once a connection has run it
`prepare_threshold` times), so PostgreSQL does not parse and plan it again either: that halved
the database's CPU time per cycle page. Only these queries are prepared: Django's own cursors
bind parameters on the client, which psycopg never prepares. Behind a pooler that cannot
keep prepared statements (PgBouncer in transaction mode before 1.21), set
DATABASE_PREPARED_STATEMENTS=false.

It is used only where the SQL cannot differ between calls but for those values: the builder
receives the values and must put each one into the query as a parameter, once or more, never
into its shape (a value that decides which filters apply belongs in the key of the caller's
choice of CompiledQuery instead). A stand-in missing from the compiled parameters (folded into
the SQL, or never used) disables the cache for that query: it then runs through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: dict[int, str]  # parameter position -> name of the value that goes there
    compiler: Any  # the compiler after as_sql(): its select, klass_info, annotation_col_map
    converters: dict


def _prepares(connection) -> bool:
    """Whether compiled queries run as prepared statements on this connection: PostgreSQL with
    a prepare threshold set (settings: DATABASE_PREPARED_STATEMENTS)."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is not None
    )


def _server_binding_cursor(psycopg_connection):
    from django.db.backends.postgresql.base import ServerBindingCursor

    return ServerBindingCursor(psycopg_connection)


def _same(param, stand_in) -> bool:
    return type(param) is type(stand_in) and param == stand_in


class CompiledQuery:
    """`build(**values)` compiled once (per database alias) with `stand_ins`; `objects(**values)`
    returns what `list(build(**values))` would, without compiling it again."""

    def __init__(self, build: Callable[..., QuerySet], **stand_ins):
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: dict[str, _Compiled | None] = {}

    def _compile(self, using: str) -> _Compiled | None:
        queryset = self.build(**self.stand_ins)
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            return None  # ModelIterable's extras that objects() does not repeat
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = {}
        for position, param in enumerate(params):
            for name, stand_in in self.stand_ins.items():
                if _same(param, stand_in):
                    slots[position] = name
        if set(slots.values()) != set(self.stand_ins):
            return None
        converters = compiler.get_converters([column[0] for column in compiler.select])
        return _Compiled(sql, tuple(params), slots, compiler, converters)

    def rows(self, *, using: str = "default", **values) -> list[tuple]:
        """What `list(build(**values))` gives for a values_list() queryset, as tuples."""
        compiled = self._prepared(using, values)
        if compiled is None:
            return [tuple(row) for row in self.build(**values)]
        rows = self._fetch(compiled, using, values)
        if compiled.converters:
            rows = [
                tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)
            ]
        return rows

    def objects(self, *, using: str = "default", **values) -> list[Model]:
        compiled = self._prepared(using, values)
        if compiled is None:
            return list(self.build(**values))
        return self._instances(compiled, self._fetch(compiled, using, values), using)

    def _prepared(self, using: str, values: dict) -> _Compiled | None:
        """The compiled query for these values, or None when they go through the ORM."""
        if set(values) != set(self.stand_ins):
            raise TypeError(f"expected values for {sorted(self.stand_ins)}, got {sorted(values)}")
        connection = connections[using]
        if connection.vendor != "postgresql" or any(
            type(value) is not type(self.stand_ins[name]) for name, value in values.items()
        ):
            # SQLite (make run) keeps the ORM's path; a value of another type than its stand-in
            # would skip the conversion Django makes when it compiles (say "5" for a pk).
            return None
        if using not in self._compiled:
            self._compiled[using] = self._compile(using)
        return self._compiled[using]

    @staticmethod
    def _fetch(compiled: _Compiled, using: str, values: dict) -> list[tuple]:
        params = [
            values[compiled.slots[position]] if position in compiled.slots else param
            for position, param in enumerate(compiled.params)
        ]
        connection = connections[using]
        with connection.cursor() as cursor:  # Django's checks: health, thread, connection
            if not _prepares(connection):
                cursor.execute(compiled.sql, params)
                return cursor.fetchall()
            # A server-binding cursor on the same connection: PostgreSQL keeps the statement
            # prepared (parsed and planned once per connection), which Django's client-binding
            # cursors cannot do. Django's wrappers still see it: execute_wrappers, and the
            # query log that query counts read.
            raw = _server_binding_cursor(cursor.cursor.connection)
            try:
                wrapped = connection.make_cursor(raw)
                if connection.queries_logged:
                    with connection.make_debug_cursor(raw).debug_sql(compiled.sql, params):
                        wrapped.execute(compiled.sql, params)
                else:
                    wrapped.execute(compiled.sql, params)
                return raw.fetchall()
            finally:
                raw.close()

    @staticmethod
    def _instances(compiled: _Compiled, rows: list[tuple], db: str) -> list[Model]:
        # As django.db.models.query.ModelIterable.__iter__ (Django 5.2) does it.
        compiler = compiled.compiler
        select, klass_info = compiler.select, compiler.klass_info
        annotation_col_map = compiler.annotation_col_map
        if compiled.converters:
            rows = list(compiler.apply_converters(rows, compiled.converters))
        model_cls = klass_info["model"]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        related_populators = get_related_populators(klass_info, select, db)
        objects = []
        for row in rows:
            instance = model_cls.from_db(db, init_list, row[start:end])
            for populator in related_populators:
                populator.populate(row, instance)
            for name, position in annotation_col_map.items():
                setattr(instance, name, row[position])
            objects.append(instance)
        return objects
