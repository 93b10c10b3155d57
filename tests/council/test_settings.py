"""Start-up configuration: bad values stop start-up naming the variable; production is clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "PROUD_", "DATABASE_URL", "REDIS_URL", "SITE_URL", "PORT")
        )
    }
    base.update({"PROUD_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"})
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "proud.example.gov.uk",
    "SITE_URL": "https://proud.example.gov.uk",
}


def test_check_deploy_reports_nothing_with_production_values(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_refuses_demo_mode_in_production(tmp_path):
    result = manage(
        "check", "--deploy", env={**PRODUCTION, "PROUD_DEMO_MODE": "true"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "PROUD_DEMO_MODE is on" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DJANGO_SECRET_KEY must be set in the environment."),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be at least 50 characters"),
        (
            {**PRODUCTION, "DJANGO_ALLOWED_HOSTS": ""},
            "DJANGO_ALLOWED_HOSTS must list the site's host names",
        ),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be true or false, not 'maybe'."),
        (
            {"DJANGO_DEBUG": "true", "DATABASE_URL": "mysql://db/proud"},
            "DATABASE_URL must start with one of postgres://",
        ),
        (
            {"DJANGO_DEBUG": "true", "REDIS_URL": "localhost:6379"},
            "REDIS_URL must start with one of redis://, rediss://",
        ),
        (
            {"DJANGO_DEBUG": "true", "SITE_URL": "proud.example.gov.uk"},
            "SITE_URL must start with one of http://, https://",
        ),
        ({"DJANGO_DEBUG": "true", "PORT": "eighty"}, "PORT must be a whole number, not 'eighty'."),
        (
            {"DJANGO_DEBUG": "true", "SESSION_IDLE_TIMEOUT": "5"},
            "SESSION_IDLE_TIMEOUT must be at least 60",
        ),
    ],
)
def test_a_bad_variable_stops_start_up_naming_it(tmp_path, env, message):
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    assert f"Proud to Support cannot start: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_is_off_unless_asked_for(settings):
    # The suite runs the production settings: debug off, secure cookies.
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert settings.CSRF_COOKIE_NAME == "__Host-csrftoken"


def test_every_environment_variable_is_documented():
    import re

    read = set(
        re.findall(
            r'env_(?:str|bool|int|list|url)\(\s*"([A-Z_]+)"',
            (ROOT / "config" / "settings.py").read_text(),
        )
    )
    assert "DJANGO_SECRET_KEY" in read
    example = (ROOT / "config" / "environment.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert [name for name in sorted(read) if name not in example] == []
    assert [name for name in sorted(read) if f"`{name}`" not in readme] == []


def test_migrations_are_checked_without_a_secret_but_nothing_else_starts(tmp_path):
    # makemigrations reads only the models; anything else still needs the secret key.
    checked = manage("makemigrations", "--check", "--dry-run", env={}, tmp_path=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "No changes detected" in checked.stdout
    refused = manage("migrate", "--check", env={}, tmp_path=tmp_path)
    assert refused.returncode == 2
    assert "DJANGO_SECRET_KEY must be set" in refused.stderr
