"""Requests/second under gunicorn (2 workers, wrk): the cycle page against a bare view."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

from . import BenchHousehold

ROOT = Path(__file__).resolve().parent.parent.parent
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
RATIO_TARGET_PERCENT = 15


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_cookie(user) -> tuple[str, object]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}", session


def _wait_for(port: int) -> None:
    """Until the workers answer (the master listens long before they have imported Django)."""
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            probe = f"http://127.0.0.1:{port}/healthz"
            with urllib.request.urlopen(probe, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def _warm(cookie: str, url: str) -> None:
    # Each worker loads templates and opens its connection on its first requests.
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    for _ in range(6):
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            answer.read()


def _wrk(wrk: str, cookie: str, url: str) -> tuple[Decimal, int]:
    output = subprocess.run(  # noqa: S603 — fixed argv, no user input
        [wrk, "-t2", "-c8", f"-d{WRK_SECONDS}s", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = Decimal(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rps, int(non2xx.group(1)) if non2xx else 0


def measure_throughput(bench: BenchHousehold, paths: dict[str, str]):
    """{label: (requests/second, non-2xx count)} for each path, or None without wrk."""
    wrk = shutil.which("wrk")
    if wrk is None or WRK_SECONDS <= 0:
        return None
    cookie, session = _session_cookie(bench.user)
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "colony.settings.bench"}
    server = subprocess.Popen(  # noqa: S603 — fixed argv, no user input
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(port)
        for path in paths.values():
            _warm(cookie, f"http://127.0.0.1:{port}{path}")
        return {
            label: _wrk(wrk, cookie, f"http://127.0.0.1:{port}{path}")
            for label, path in paths.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        session.delete()


def print_throughput(bench: BenchHousehold) -> float | None:
    """Print the cycle page's requests/second against the bare view; return the ratio in %."""
    from django.urls import reverse

    results = measure_throughput(
        bench,
        {
            "bare view /healthz": reverse("healthz"),
            "cycle page (1,000 expenses)": reverse("cycles:detail", args=[bench.cycle.pk]),
        },
    )
    print()
    if results is None:
        print("throughput not measured (wrk is not installed, or BENCH_WRK_SECONDS=0)")
        return None
    print(f"gunicorn, 2 workers, wrk -t2 -c8 -d{WRK_SECONDS}s ({bench.size} household)")
    for label, (rps, errors) in results.items():
        warning = f"  ({errors} non-2xx responses!)" if errors else ""
        print(f"{label:<30}{rps:>10.1f} req/s{warning}")
    bare = results["bare view /healthz"][0]
    page = results["cycle page (1,000 expenses)"][0]
    if not bare:
        print("the bare view answered nothing: no ratio")
        return None
    ratio = page / bare * 100
    verdict = "ok" if ratio >= RATIO_TARGET_PERCENT else "missed"
    print(f"{'ratio':<30}{ratio:>10.1f} %   (target ≥ {RATIO_TARGET_PERCENT} %: {verdict})")
    return ratio
