"""Bulk statements for the writer's hot path: plain SQL and tuples, straight to the driver.

SQLAlchemy Core spends tens of microseconds per row on parameters (`construct_params`, one bind
processor call per value), which is most of the cost of writing a batch of thousands of rows.
The writer's batches repeat a few statements, so here:

- the SQL text is built once a statement (not once a row) from the table's own columns, named
  as the dialect quotes them, with the driver's placeholders (`?` for SQLite, `%s` for psycopg);
- values are what SQLAlchemy would hand the driver: each column type's own bind processor (for
  the dialect in use) is applied, either by the caller once for a value every row shares (`bind`,
  e.g. the time of a sighting) or here, per row, for every column the caller did not name as
  already processed;
- the rows go to the driver's `executemany` through `Connection.exec_driver_sql`: in the caller's
  transaction, with the driver's errors still raised as SQLAlchemy exceptions.

Lists of keys go to SQLite in IN lists of at most `IN_CHUNK` values, under the 999 variables an
older SQLite build allows in one statement, and to PostgreSQL as one array. Only the store's two
dialects are supported: SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Table

IN_CHUNK = 900  # values in one IN list; leaves room for a few more parameters under 999

Processor = Callable[[Any], Any]


class Bulk:
    """Statements on the DB-API level, in the transaction of one SQLAlchemy `Connection`."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        style = self.dialect.paramstyle
        if style == "qmark":
            self.mark = "?"
        elif style in ("format", "pyformat"):
            self.mark = "%s"
        else:  # pragma: no cover - the store runs on SQLite and PostgreSQL only
            raise NotImplementedError(f"bulk statements for paramstyle {style!r}")
        self._names = self.dialect.identifier_preparer
        # PostgreSQL takes a list of keys as one array parameter: `= ANY(%s)`, no IN lists.
        self._arrays = self.dialect.name == "postgresql"
        self._processors: dict[Column[Any], Processor | None] = {}

    def begin_writing(self) -> None:
        """Take SQLite's write lock now: the driver begins a transaction only at the first write,
        and what a batch writes is decided by what it reads before. (A PostgreSQL transaction
        has begun with the first statement; unique constraints settle races there.)"""
        if self.dialect.name != "sqlite":
            return
        if not self.conn.connection.driver_connection.in_transaction:
            self.conn.exec_driver_sql("BEGIN IMMEDIATE")

    # -- values ---------------------------------------------------------------------------
    def processor(self, column: Column[Any]) -> Processor | None:
        """The bind processor of `column`'s type in this dialect (None: values go as they are)."""
        if column not in self._processors:
            impl = column.type.dialect_impl(self.dialect)
            self._processors[column] = impl.bind_processor(self.dialect)
        return self._processors[column]

    def bind(self, column: Column[Any], value: Any) -> Any:
        """`value` as SQLAlchemy would hand it to the driver for `column`."""
        process = self.processor(column)
        return value if process is None else process(value)

    def json_from_text(self) -> Processor | None:
        """For a JSON column: a function from the text `json.dumps(value)` makes to what
        SQLAlchemy would hand the driver for `value`; None when this dialect or engine does not
        serialise with `json.dumps` (then bind the value itself)."""
        if getattr(self.dialect, "_json_serializer", None) is not None:
            return None
        if self.dialect.name == "sqlite":
            return _same  # stored as that very text
        if self.dialect.driver == "psycopg":
            from psycopg.types.json import Json

            return lambda text: Json(text, dumps=_same)  # sent as that very text
        return None

    def _processed(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]],
                   done: Collection[str]) -> list[tuple[Any, ...]]:
        """Rows with each column's processor applied, but for the columns in `done`."""
        work = [(i, p) for i, name in enumerate(columns)
                if name not in done and (p := self.processor(table.c[name])) is not None]
        if not work:
            return rows
        out = []
        for row in rows:
            values = list(row)
            for i, process in work:
                values[i] = process(values[i])
            out.append(tuple(values))
        return out

    # -- SQL text -------------------------------------------------------------------------
    def _table(self, table: Table) -> str:
        return self._names.format_table(table)

    def _cols(self, table: Table, columns: Sequence[str]) -> list[str]:
        # table.c[name] raises for a name that is not a column, as SQLAlchemy's insert would.
        return [self._names.format_column(table.c[name]) for name in columns]

    def _marks(self, n: int) -> str:
        return ", ".join([self.mark] * n)

    # -- statements -----------------------------------------------------------------------
    def insert(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]], *,
               processed: Collection[str] = (), skip_conflicts_on: str | None = None) -> None:
        """INSERT one row per tuple (values in the order of `columns`); with `skip_conflicts_on`,
        a row whose value of that unique column is stored already is left out."""
        if not rows:
            return
        sql = (f"INSERT INTO {self._table(table)} ({', '.join(self._cols(table, columns))}) "
               f"VALUES ({self._marks(len(columns))})")
        if skip_conflicts_on:
            sql += f" ON CONFLICT ({self._cols(table, [skip_conflicts_on])[0]}) DO NOTHING"
        self.conn.exec_driver_sql(sql, self._processed(table, columns, rows, processed))

    def update_by_id(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]],
                     *, processed: Collection[str] = ()) -> None:
        """UPDATE one row per tuple: the values of `columns`, then the id of the row."""
        if not rows:
            return
        sets = ", ".join(f"{c} = {self.mark}" for c in self._cols(table, columns))
        sql = (f"UPDATE {self._table(table)} SET {sets} "
               f"WHERE {self._cols(table, ['id'])[0]} = {self.mark}")
        done = {*processed, "id"}
        self.conn.exec_driver_sql(sql, self._processed(table, [*columns, "id"], rows, done))

    def update_in(self, table: Table, values: dict[str, Any], column: str,
                  keys: Sequence[Any], *, also: str = "") -> None:
        """Set the same `values` (processed here) on every row whose `column` is in `keys` (and
        that meets `also`, a fixed SQL condition, when given)."""
        bound = tuple(self.bind(table.c[name], value) for name, value in values.items())
        sets = ", ".join(f"{c} = {self.mark}" for c in self._cols(table, list(values)))
        where = f"({also}) AND " if also else ""
        head = (f"UPDATE {self._table(table)} SET {sets} WHERE {where}"
                f"{self._cols(table, [column])[0]}")
        for sql, params in self._in_lists(head, keys):
            self.conn.exec_driver_sql(sql, bound + params)

    def delete_in(self, table: Table, column: str, keys: Sequence[Any], **equal: Any) -> None:
        """DELETE the rows whose `column` is in `keys` and whose other columns equal `equal`."""
        where = "".join(f"{c} = {self.mark} AND " for c in self._cols(table, list(equal)))
        fixed = tuple(self.bind(table.c[name], value) for name, value in equal.items())
        head = f"DELETE FROM {self._table(table)} WHERE {where}{self._cols(table, [column])[0]}"
        for sql, params in self._in_lists(head, keys):
            self.conn.exec_driver_sql(sql, fixed + params)

    def select_in(self, table: Table, columns: Sequence[str], column: str, keys: Sequence[Any],
                  **equal: Any) -> list[tuple[Any, ...]]:
        """Rows (as the driver returns them: only for columns that need no result processing)
        of `columns` whose `column` is in `keys` and whose other columns equal `equal`."""
        where = "".join(f"{c} = {self.mark} AND " for c in self._cols(table, list(equal)))
        fixed = tuple(self.bind(table.c[name], value) for name, value in equal.items())
        head = (f"SELECT {', '.join(self._cols(table, columns))} FROM {self._table(table)} "
                f"WHERE {where}{self._cols(table, [column])[0]}")
        out: list[tuple[Any, ...]] = []
        for sql, params in self._in_lists(head, keys):
            out.extend(map(tuple, self.conn.exec_driver_sql(sql, fixed + params).fetchall()))
        return out

    def _in_lists(self, head: str, keys: Sequence[Any]) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """`head` (ending in a column) completed by `keys`: one array, or IN lists of at most
        IN_CHUNK values each."""
        if not keys:
            return
        if self._arrays:
            yield f"{head} = ANY({self.mark})", (list(keys),)
            return
        for start in range(0, len(keys), IN_CHUNK):
            chunk = tuple(keys[start:start + IN_CHUNK])
            yield f"{head} IN ({self._marks(len(chunk))})", chunk


def _same(value: Any) -> Any:
    return value
