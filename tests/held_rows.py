"""A concurrent writer caught mid-transaction: it has already changed a row (holding it,
``SELECT … FOR UPDATE`` as ``tests.concurrency.RowLock``) or inserted one, uncommitted,
when the code under test starts; it commits when the block ends. Code that reads under
its own lock sees the change; code that forgot the lock decides on what it read before.

    with RowChangeInProgress(User, artist.pk, is_paused=True):
        racer = Racer(lambda: service(...))
        start_and_wait_until_blocked([racer])
    finish([racer])
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import psycopg
from django.db import connection
from django.db.models import Model

from tests.concurrency import RowLock, connect_aside


def _columns(model: type[Model], names: list[str]) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(str(model._meta.get_field(name).column)) for name in names]  # type: ignore[union-attr]


class RowChangeInProgress(RowLock):
    """Holds ``model`` row ``pk`` and has set ``changes`` on it, not yet committed."""

    def __init__(self, model: type[Model], pk: int, **changes: object) -> None:
        super().__init__(model, pk)
        self.changes = changes

    def __enter__(self) -> RowChangeInProgress:
        super().__enter__()
        assert self._connection is not None
        table = connection.ops.quote_name(self.model._meta.db_table)
        assignments = ", ".join(f"{c} = %s" for c in _columns(self.model, list(self.changes)))
        self._connection.execute(
            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608 (model fields)
            [*self.changes.values(), self.pk],
        )
        return self


class RowInsertInProgress:
    """Has inserted a ``model`` row with ``values``, not yet committed (its unique keys
    make a second insert of the same key wait); ``pk`` is the new row's id."""

    def __init__(self, model: type[Model], **values: object) -> None:
        self.model, self.values = model, values
        self.pk: int | None = None
        self._connection: psycopg.Connection[Any] | None = None

    def __enter__(self) -> RowInsertInProgress:
        self._connection = connect_aside(autocommit=False)
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(_columns(self.model, list(self.values)))
        marks = ", ".join(["%s"] * len(self.values))
        row = self._connection.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id",  # noqa: S608 (model fields)
            list(self.values.values()),
        ).fetchone()
        assert row is not None
        self.pk = int(row[0])
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        self._connection.commit()
        self._connection.close()
