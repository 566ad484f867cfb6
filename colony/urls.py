from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from budget.views.cycles import dashboard
from colony import pwa
from colony.api import api


def healthz(request):
    """Load balancer probe: the process answers. Kept out of SSL redirect."""
    return HttpResponse("ok", content_type="text/plain")


handler500 = "colony.errors.server_error"

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("rates/", include("exchange.urls")),
    path("templates/", include("templates_app.urls")),
    path("", include("budget.urls")),
    path("", include("expenses.urls")),
    path("reports/", include("reports.urls")),
    path("balances/", include("sharing.urls")),
    path("reminders/", include("reminders.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
