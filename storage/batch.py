"""Rows inserted together when the unit of work commits: one statement instead of one each."""

from typing import Any

from sqlalchemy import Connection, Executable


class InsertBatch:
    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self._rows.append(row)

    def write(self, connection: Connection) -> None:
        """Insert what was added, in the order it was added (ids follow that order)."""
        if self._rows:
            connection.execute(self._statement, self._rows)
            self._rows.clear()

    def clear(self) -> None:
        self._rows.clear()
