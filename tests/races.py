"""Deterministic races on real PostgreSQL connections.

A race is reproduced by holding a lock in the test's own connection (an open transaction that
has locked, inserted or deleted a row), starting the competing requests in threads (each
thread has its own database connection, as two gunicorn workers would), waiting until every
one of them is blocked on that lock, and then letting the test's transaction commit. Whatever
the requests do next happens against the state the first writer left, every time.

Use with `pytest.mark.django_db(transaction=True)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connection, connections
from django.test import Client

WAIT_SECONDS = 10


def _in_own_connection(work: Callable):
    def run():
        try:
            return work()
        finally:
            connections.close_all()

    return run


def blocked_backends() -> int:
    """How many other connections to the test database wait for a lock right now."""
    with connections["default"].cursor() as cursor:
        # Inside a transaction the statistics views answer from one snapshot unless cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_until_blocked(count: int, futures: list[Future]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while blocked_backends() < count:
        finished = [f.result() for f in futures if f.done()]
        if time.monotonic() > deadline or finished:
            with connections["default"].cursor() as cursor:
                cursor.execute(
                    "SELECT state, wait_event_type, wait_event, left(query, 120) "
                    "FROM pg_stat_activity WHERE datname = current_database()"
                )
                activity = cursor.fetchall()
            raise AssertionError(
                f"expected {count} requests waiting for a lock; finished without: {finished}; "
                f"{activity}"
            )
        time.sleep(0.02)


@contextmanager
def racing(*requests: Callable, blocked: int | None = None):
    """Start `requests` in threads while the caller's open transaction holds a lock; yields
    their futures once `blocked` of them (default: all) wait for it. The caller commits (ends
    its `transaction.atomic()` block) after the `with`, then reads `future.result()`."""
    assert connection.in_atomic_block, "hold the lock inside transaction.atomic()"
    pool = ThreadPoolExecutor(max_workers=len(requests))
    try:
        futures: list[Future] = [pool.submit(_in_own_connection(r)) for r in requests]
        wait_until_blocked(len(requests) if blocked is None else blocked, futures)
        yield futures
    finally:
        pool.shutdown(wait=False)


def logged_in(user) -> Client:
    """A test client for `user` whose server errors come back as a 500 response."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client
