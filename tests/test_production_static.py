"""Pages that name static files, under the production storage: hashed names from a manifest
that collectstatic wrote (ManifestStaticFilesStorage is strict: a name it does not list is an
error, so a page asking for one is a 500 in production and nowhere else)."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db

PRODUCTION_STATIC = {
    "STORAGES": {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    },
    # The manifest is what this suite is about; compressing every file would only cost time.
    "WHITENOISE_SKIP_COMPRESS_EXTENSIONS": ["css", "js", "svg", "png", "map", "txt", "html"],
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, **PRODUCTION_STATIC):
        call_command("collectstatic", "--noinput", verbosity=0)
    assert (root / "staticfiles.json").exists()
    return root


@pytest.fixture
def production_static(collected):
    with override_settings(STATIC_ROOT=collected, **PRODUCTION_STATIC):
        yield


def test_service_worker_is_served_under_the_manifest_storage(client, production_static):
    response = client.get("/sw.js")

    assert response.status_code == 200
    body = response.content.decode()
    prefix = json.loads(re.search(r"const STATIC_PREFIX = (.*);", body).group(1))
    assert prefix == "/static/"
    assets = json.loads(re.search(r"const ASSETS = (.*);", body).group(1))
    assert assets and all(asset.startswith(prefix) for asset in assets)
    # Each one the hashed name collectstatic wrote, so a deployment gets a new cache.
    assert any(re.fullmatch(r"/static/css/colony\.[0-9a-f]{12}\.css", a) for a in assets)


def test_web_app_manifest_and_log_in_page_name_hashed_files(client, production_static):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert all(re.search(r"\.[0-9a-f]{12}\.", icon["src"]) for icon in manifest.json()["icons"])
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert re.search(r"/static/css/colony\.[0-9a-f]{12}\.css", page.content.decode())
