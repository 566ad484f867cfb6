"""Installable app: the web app manifest, the service worker and the page it shows offline.

The service worker caches static files (CSS, scripts, icons) and this offline page only. Pages
and every write still go to the server: offline, a page load shows the offline page and a form
post fails visibly; nothing is queued to be sent later.
"""

import hashlib
import json

from django.conf import settings
from django.http import FileResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Bump when the list of cached files changes shape; static URLs carry their own hashes in
# production (ManifestStaticFilesStorage), so a new deployment also gets a new cache name.
CACHE_VERSION = "colony-v1"

PRECACHED_STATIC = [
    "css/colony.css",
    "css/reports.css",
    "js/colony.js",
    "vendor/htmx-2.0.11.min.js",
    "icons/icon.svg",
    "icons/icon-192.png",
]


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request):
    data = {
        "name": "Colony household budget",
        "short_name": "Colony",
        "description": "Plan and track what your household spends, cycle by cycle.",
        "start_url": reverse("dashboard"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#0f766e",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


def _digest(assets: list[str]) -> str:
    return hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """Served from the site root so its scope covers every page."""
    assets = [static(path) for path in PRECACHED_STATIC]
    response = render(
        request,
        "pwa/service_worker.js",
        {
            "cache_name": json.dumps(f"{CACHE_VERSION}-{_digest(assets)}"),
            "assets": json.dumps(assets),
            "offline_url": json.dumps(reverse("offline")),
            # The URL every static file lives under. Not static(""): the production storage
            # (a manifest of hashed names) has no entry for "" and refuses it.
            "static_prefix": json.dumps(settings.STATIC_URL),
        },
        content_type="text/javascript",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """What the service worker shows when a page cannot be loaded: no user data, cacheable."""
    return render(request, "pwa/offline.html")


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; answer with the icon, not a 404."""
    return FileResponse(
        open(settings.BASE_DIR / "static" / "icons" / "icon.svg", "rb"),
        content_type="image/svg+xml",
    )
