"""Rows inserted together when the unit of work commits: one statement instead of one each."""

from typing import Any

from sqlalchemy import Connection, Executable


class InsertBatch:
    def __init__(self, statement: Executable, *, returning: bool = False) -> None:
        self._statement = statement
        self._returning = returning
        self._rows: list[dict[str, Any]] = []
        self._notes: list[Any] = []
        # After ``write``: what a ``RETURNING`` statement returned for each row, with the note
        # the row was added with, in order.
        self.written: list[tuple[Any, Any]] = []

    def add(self, row: dict[str, Any], note: Any = None) -> None:
        self._rows.append(row)
        self._notes.append(note)

    def write(self, connection: Connection) -> None:
        """Insert what was added, in the order it was added (ids follow that order)."""
        if self._rows:
            result = connection.execute(self._statement, self._rows)
            if self._returning:
                self.written = list(zip(result.scalars(), self._notes, strict=True))
            self.clear()

    def clear(self) -> None:
        self._rows.clear()
        self._notes.clear()
