"""`python -m colony.dbcheck`: stop early, with one clear line, when PostgreSQL is unreachable."""

import os
import sys

import environ
import psycopg


def main() -> int:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/colony")
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        print(f"DATABASE_URL must point at PostgreSQL for the test suite, got {url!r}.")
        return 1
    try:
        # Connect to the server's maintenance database: the suite creates its own test database.
        psycopg.connect(
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
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
