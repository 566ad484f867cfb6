"""Django's database sessions, with the query that loads a session compiled once.

Every logged-in request loads its session first; Django compiles that query again each time
(colony/compiled.py says why that matters). The table, the cookie and every other behaviour are
Django's own (django.contrib.sessions.backends.db).
"""

from __future__ import annotations

import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from colony.compiled import CompiledQuery


def _session_query(session_key: str, now: datetime.datetime):
    # The key is the primary key: at most one row.
    return Session.objects.filter(session_key=session_key, expire_date__gt=now)[:1]


_SESSION = CompiledQuery(
    _session_query,
    session_key="\x00stand-in session key",
    now=datetime.datetime(1234, 5, 6, tzinfo=datetime.UTC),
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        if not isinstance(self.session_key, str):
            return super()._get_session_from_db()
        found = _SESSION.objects(session_key=self.session_key, now=timezone.now())
        if found:
            return found[0]
        self._session_key = None  # as Django does for a session that is gone or expired
        return None
