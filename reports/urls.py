from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.csv", views.range_export, name="range_export"),
    path("household-export.zip", views.household_export_zip, name="household_export"),
    path("forecast/", views.forecast, name="forecast"),
    path("budgets/", views.budgets, name="budgets"),
    path("cycles/<int:cycle_pk>/", views.cycle_report, name="cycle"),
    path("cycles/<int:cycle_pk>/export.csv", views.cycle_export, name="cycle_export"),
]
