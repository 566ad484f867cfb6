"""A hostile or broken rate provider, served for real on loopback: it may drip its answer, send
a huge body or a gzip bomb, or nest JSON beyond Python's stack. Each ends in the provider's
error for that base only, without holding the body whole or waiting past the deadline."""

import contextlib
import threading
import tracemalloc
import zlib
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from exchange import services
from exchange.exceptions import ExchangeProviderError, RatesRefreshFailed
from exchange.models import ExchangeRate

SMALL = b'{"base": "USD", "date": "2026-11-20", "rates": {"EUR": 0.92}}'
MB = 1024 * 1024


def _gzip_of_spaces(size: int) -> bytes:
    # Whitespace is valid JSON padding: only the size makes this answer unusable.
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * MB
    parts = [packer.compress(block) for _ in range(size // MB)]
    return b"".join([*parts, packer.flush()])


class Provider(BaseHTTPRequestHandler):
    bomb = b""
    sent: dict[str, int] = {}

    def log_message(self, *args):
        pass

    def _start(self, headers=()):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def do_GET(self):
        kind = self.path.strip("/").split("/")[0]
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client hung up
            getattr(self, f"_{kind}")()

    def _drip(self):
        # One byte every 0.1 s: each read is well within the read timeout, the whole is not.
        self._start()
        stop = threading.Event()
        for byte in SMALL:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            if stop.wait(0.1):
                return

    def _huge(self):
        self._start()
        block = b" " * MB
        for n in range(60):
            self.wfile.write(block)
            Provider.sent["huge"] = (n + 1) * MB
        self.wfile.write(SMALL)

    def _bomb(self):
        self._start([("Content-Encoding", "gzip"), ("Content-Length", str(len(self.bomb)))])
        self.wfile.write(self.bomb)

    def _deep(self):
        body = b"[" * 200_000 + b"]" * 200_000
        self._start([("Content-Length", str(len(body)))])
        self.wfile.write(body)

    def _good(self):
        body = b'{"base": "EUR", "date": "2026-11-20", "rates": {"USD": 1.08, "JPY": 160.5}}'
        self._start([("Content-Length", str(len(body)))])
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    Provider.bomb = _gzip_of_spaces(100 * MB)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def client_for(server, kind, client_factory, **kwargs):
    kwargs.setdefault("timeout", (1, 1))
    return client_factory(url_template=f"{server}/{kind}/{{BASE}}", **kwargs)


def test_a_provider_that_drips_its_answer_is_cut_off_at_the_deadline(server, client_factory):
    client = client_for(server, "drip", client_factory, deadline_seconds=1)

    with pytest.raises(ExchangeProviderError) as error:
        client.fetch("USD")

    assert error.value.message.startswith("127.0.0.1 did not finish within 1 s for USD")


def _peak_memory_of(call) -> int:
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_huge_answer_is_refused_without_being_read_whole(server, client_factory):
    client = client_for(server, "huge", client_factory)
    errors = []

    def fetch():
        with pytest.raises(ExchangeProviderError) as error:
            client.fetch("USD")
        errors.append(error.value.message)

    peak = _peak_memory_of(fetch)

    assert errors == ["127.0.0.1 sent unusable rates for USD: the answer is too large."]
    assert peak < 8 * MB, peak  # the answer was 60 MB


def test_a_gzip_bomb_is_refused_without_being_inflated(server, client_factory):
    client = client_for(server, "bomb", client_factory)
    errors = []

    def fetch():
        with pytest.raises(ExchangeProviderError) as error:
            client.fetch("USD")
        errors.append(error.value.message)

    peak = _peak_memory_of(fetch)

    assert errors == ["127.0.0.1 sent unusable rates for USD: the answer is too large."]
    assert peak < 8 * MB, peak  # 100 MB once inflated


def test_json_nested_beyond_the_stack_is_the_providers_error(server, client_factory):
    with pytest.raises(ExchangeProviderError) as error:
        client_for(server, "deep", client_factory).fetch("USD")
    assert error.value.message == (
        "127.0.0.1 sent unusable rates for USD: the answer is not valid JSON."
    )


@pytest.mark.django_db
def test_one_hostile_base_does_not_stop_the_other_currencies(server, client_factory, settings):
    class PerBase:
        """USD's provider nests its JSON 200,000 deep; EUR's answers properly."""

        def fetch(self, base, on_date=None):
            kind = "deep" if base == "USD" else "good"
            return client_for(server, kind, client_factory).fetch(base, on_date=on_date)

    with pytest.raises(RatesRefreshFailed) as error:
        services.refresh_rates(bases=["USD", "EUR"], client=PerBase())

    assert error.value.failed == ["USD"]
    assert [result.base for result in error.value.results] == ["EUR"]
    assert ExchangeRate.objects.filter(base_currency="EUR").exists()
    assert ExchangeRate.objects.get(base_currency="EUR", quote_currency="JPY").rate > Decimal(0)
