"""Everyday-use basics that every page shares: form rows, theme, installability, htmx config."""

import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_up_renders_each_field_as_one_row_with_its_label_input_and_help(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    grid = html.split('<div class="grid-2">')[3].split("<button")[0]
    # One .field element per field, in order: the household name with its label, input and
    # help, then the currency with its label and select.
    name_row, currency_row = grid.split('<div class="field">')[1:3]
    assert 'for="id_household_name"' in name_row and 'name="household_name"' in name_row
    assert "helptext" in name_row and "base_currency" not in name_row
    assert 'for="id_base_currency"' in currency_row and "<select" in currency_row


def test_help_text_is_shown_as_text_not_parsed_as_markup(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert "Leave empty to name it after you, like “Grace’s household”." in html


def test_field_errors_sit_in_the_row_of_their_field(client):
    response = client.post(reverse("accounts:signup"), {"first_name": "", "email": "x"})
    html = response.content.decode()
    row = html.split('for="id_email"')[1].split('<div class="field')[0]
    assert "errorlist" in row


def test_theme_choice_is_remembered_per_user_and_shown_on_every_page(owner_client, owner):
    response = owner_client.post(reverse("accounts:theme"), {"theme": "dark", "next": "/cycles/"})
    assert response.status_code == 302
    assert response["Location"] == "/cycles/"
    owner.refresh_from_db()
    assert owner.theme == "dark"
    assert '<html lang="en" data-theme="dark">' in owner_client.get("/").content.decode()


def test_theme_switch_over_htmx_answers_204(owner_client, owner, htmx_headers):
    response = owner_client.post(reverse("accounts:theme"), {"theme": "light"}, **htmx_headers)
    assert response.status_code == 204
    owner.refresh_from_db()
    assert owner.theme == "light"


def test_unknown_theme_is_refused_without_change(owner_client, owner):
    response = owner_client.post(reverse("accounts:theme"), {"theme": "purple"})
    assert response.status_code == 422
    owner.refresh_from_db()
    assert owner.theme == "auto"


def test_theme_switch_never_redirects_off_site(owner_client):
    response = owner_client.post(
        reverse("accounts:theme"), {"theme": "dark", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["display"] == "standalone" and data["start_url"] == "/"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes


def test_service_worker_is_served_from_the_root_and_caches_static_files_only(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "/static/css/colony.css" in body and "/offline/" in body
    assert 'request.method !== "GET"' in body  # writes are never cached or replayed


def test_offline_page_needs_no_log_in_and_shows_no_household_data(client):
    response = client.get("/offline/")
    assert response.status_code == 200
    assert "You are offline" in response.content.decode()
    assert "csrf" not in response.content.decode().lower()


def test_favicon_is_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(response.streaming_content)


def test_htmx_does_not_settle_style_attributes_which_the_csp_forbids(owner_client):
    html = owner_client.get("/").content.decode()
    config = json.loads(re.search(r'name="htmx-config"\s+content=\'([^\']*)\'', html).group(1))
    assert "style" not in config["attributesToSettle"]
    assert config["includeIndicatorStyles"] is False


def test_every_page_starts_with_a_skip_link_to_the_main_content(owner_client):
    html = owner_client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main class="container" id="main"' in html


def test_sign_up_takes_the_number_format_from_the_browser_language(client):
    from accounts.models import User

    client.post(
        reverse("accounts:signup"),
        {
            "first_name": "Greta",
            "email": "greta@example.com",
            "password1": "amber-falcon-river",
            "password2": "amber-falcon-river",
            "base_currency": "EUR",
        },
        HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.8",
    )
    assert User.objects.get(email="greta@example.com").membership.household.format_locale == (
        "de_DE"
    )


def test_owner_changes_the_household_format_and_pages_follow_it(owner_client, household):
    from cycles.tests.factories import CycleFactory

    response = owner_client.post(reverse("accounts:household_formats"), {"format_locale": "de_DE"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.format_locale == "de_DE"
    cycle = CycleFactory(household=household, income="5200.00")
    html = owner_client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert "5.200,00" in html


def test_member_cannot_change_the_household_format(member_client, household):
    response = member_client.post(reverse("accounts:household_formats"), {"format_locale": "de_DE"})
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.format_locale == "en_US"


def test_unknown_format_is_a_field_error(owner_client, household):
    response = owner_client.post(reverse("accounts:household_formats"), {"format_locale": "xx"})
    assert response.status_code == 422
    household.refresh_from_db()
    assert household.format_locale == "en_US"
