"""gunicorn settings for production; every value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never take a worker down.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# gunicorn answers a request line over this limit (414), too many or too large headers (431)
# and a malformed request (400) itself, with a fixed HTML page: no hook changes it and Django
# never sees the request. So its limit is its maximum, above the API's own
# (colony.request_line.MAX_API_URI_LENGTH, 4096): an API URI from 4 KB to 8 KB gets Colony's
# JSON 414, and only longer ones, which no client of Colony builds, get gunicorn's page.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "colony.wsgi:application"
