import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from formats.currencies import CURRENCIES

ROOT = Path(__file__).resolve().parents[2]


def _run_manage(*args, env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_under_production_settings_is_clean():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "colony.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "colony.example.com",
            "EMAIL_URL": "smtp+tls://colony:mail-pass-9d2e@mail.example.com:587",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "mail-pass-9d2e" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_email_while_password_reset_needs_it():
    result = _run_manage(
        "check",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "colony.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "EMAIL_URL": "",
        },
    )
    assert result.returncode != 0
    assert "Password reset needs email" in result.stderr


def test_production_runs_without_email_when_password_reset_is_off():
    result = _run_manage(
        "check",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "colony.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "EMAIL_URL": "",
            "PASSWORD_RESET_BY_EMAIL": "false",
        },
    )
    assert result.returncode == 0, result.stderr


def test_email_url_sets_the_smtp_backend():
    import environ

    config = environ.Env.email_url_config("smtp+tls://colony:pw@mail.example.com:587")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert config["EMAIL_HOST"] == "mail.example.com"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_USE_TLS"] is True


def test_production_refuses_to_start_without_secret_key():
    result = _run_manage(
        "check", env_overrides={"DJANGO_SETTINGS_MODULE": "colony.settings.production"}
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_argon2_is_the_first_password_hasher_outside_tests():
    from colony.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_htmx_is_served_from_our_static_files():
    assert (ROOT / "static" / "vendor" / "htmx-2.0.11.min.js").stat().st_size > 10_000
    assert settings.STATICFILES_DIRS == [ROOT / "static"]


def test_currency_minor_units_follow_iso_4217():
    assert CURRENCIES["USD"].minor_units == 2
    assert CURRENCIES["EUR"].minor_units == 2
    assert CURRENCIES["JPY"].minor_units == 0
    assert CURRENCIES["KRW"].minor_units == 0
    assert CURRENCIES["BHD"].minor_units == 3
    assert CURRENCIES["KWD"].minor_units == 3
    assert CURRENCIES["TND"].minor_units == 3
    assert all(len(code) == 3 and code.isupper() for code in CURRENCIES)
