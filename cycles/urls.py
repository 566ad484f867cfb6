from django.urls import path

from . import views

app_name = "cycles"

urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("new/", views.cycle_create, name="new"),
    path("<int:pk>/", views.cycle_detail, name="detail"),
    path("<int:pk>/edit/", views.cycle_edit, name="edit"),
    path("<int:pk>/activate/", views.cycle_activate, name="activate"),
    path("<int:pk>/complete/", views.cycle_complete, name="complete"),
    path("<int:pk>/delete/", views.cycle_delete, name="delete"),
    path("<int:pk>/generate/", views.cycle_generate, name="generate"),
]
