from django.urls import path

from . import views

app_name = "templates_app"

urlpatterns = [
    path("", views.template_list, name="template_list"),
    path("new/", views.template_create, name="template_create"),
    path("preview/", views.template_preview, name="template_preview"),
    path("<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("<int:pk>/toggle/", views.template_toggle, name="template_toggle"),
    path("<int:pk>/delete/", views.template_delete, name="template_delete"),
]
