"""A private schema on a PostgreSQL server, so tests and benchmarks never see each other's rows."""

import contextlib
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, text


@contextlib.contextmanager
def private_schema(base_url: str, prefix: str = "t") -> Iterator[str]:
    """A URL whose connections use a fresh schema, dropped with everything in it at the end."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
