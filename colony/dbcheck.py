"""`python -m colony.dbcheck`: stop early, with one clear line, when PostgreSQL is unreachable.

It also creates the database DATABASE_URL names when it is missing, so a fresh PostgreSQL
server needs no manual step before `make test` or `make bench`.
"""

import os
import sys

import environ
import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/colony"


def ensure_database(url: str) -> None:
    """Create the database named in `url` unless it exists; psycopg.Error when unreachable."""
    config = environ.Env.db_url_config(url)
    # The maintenance database always exists; the named one may not yet.
    with psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        connect_timeout=5,
        autocommit=True,
    ) as connection:
        name = config["NAME"]
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> int:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        print(f"DATABASE_URL must point at PostgreSQL for the test suite, got {url!r}.")
        return 1
    try:
        ensure_database(url)
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        host = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
        print(
            f"Cannot connect to PostgreSQL at {host} ({first_line}); start it or set DATABASE_URL."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
