from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("", views.balances, name="balances"),
    path("settle", views.settle, name="settle"),
    path("settlements/<int:pk>/delete", views.settlement_delete, name="settlement_delete"),
    path("default-split", views.default_split, name="default_split"),
]
