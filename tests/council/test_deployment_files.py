"""The deployment files say what DESIGN.md promises: `docker compose up` gives
PostgreSQL, Redis, web, worker, beat and a mail catcher; the image is the slim
Python one with WeasyPrint's libraries, collected static files, a health check
and no root; the Procfile starts web, worker and beat.

Each check is a function of the parsed file, so the last tests can show that
it fails on a broken copy (a service removed, a dependency loosened, ...).
"""

import copy
import re
import shlex
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
WEASYPRINT_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0")


# --- Reading the files ---------------------------------------------------------------


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def dockerfile_text() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def final_stage(text: str) -> list[tuple[str, str]]:
    """The instructions of the image that runs: from the last FROM on."""
    instructions = dockerfile_instructions(text)
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def interpolate(value: str) -> str:
    """Compose's ${NAME:-default} as its default and ${NAME:?message} as a placeholder."""
    value = re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{([A-Z0-9_]+):?\?[^}]*\}", r"set-by-\1", value)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command_words(command) -> list[str]:
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def app_option(words: list[str]) -> str | None:
    """The value given to celery's -A / --app."""
    for i, word in enumerate(words):
        if word in ("-A", "--app") and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--app="):
            return word.removeprefix("--app=")
    return None


def services(compose: dict) -> dict:
    return compose.get("services") or {}


# --- Checks on docker-compose.yml ----------------------------------------------------


def check_services_exist(compose):
    missing = {"db", "redis", "web", "worker", "beat", "mail"} - set(services(compose))
    assert not missing, f"docker-compose.yml lacks {sorted(missing)}"


def check_app_services_share_image_and_environment(compose):
    found = [services(compose).get(name) for name in APP_SERVICES]
    assert all(found), "web, worker and beat must all exist"
    web = found[0]
    assert web.get("build") or web.get("image"), "web has neither build nor image"
    for name, service in zip(APP_SERVICES, found, strict=True):
        assert service.get("build") == web.get("build"), f"{name} builds differently from web"
        assert service.get("image") == web.get("image"), f"{name} runs another image than web"
        assert environment(service) == environment(web), f"{name}'s environment differs from web's"


def check_environment_points_at_the_services(compose):
    for name in APP_SERVICES:
        env = environment(services(compose).get(name) or {})
        database = urlsplit(interpolate(env.get("DATABASE_URL", "")))
        assert database.scheme in ("postgres", "postgresql"), (
            f"{name}: DATABASE_URL is not PostgreSQL"
        )
        assert database.hostname == "db", f"{name}: DATABASE_URL does not point at db"
        redis = urlsplit(interpolate(env.get("REDIS_URL", "")))
        assert redis.scheme == "redis" and redis.hostname == "redis", (
            f"{name}: REDIS_URL does not point at redis"
        )
        # Required from whoever starts the stack: no key is written into the file.
        assert env.get("DJANGO_SECRET_KEY", "").startswith("${DJANGO_SECRET_KEY:?"), (
            f"{name}: DJANGO_SECRET_KEY must be required with ${{DJANGO_SECRET_KEY:?...}}"
        )
        for variable in ("DJANGO_ALLOWED_HOSTS", "SITE_URL", "DEFAULT_FROM_EMAIL"):
            assert env.get(variable), f"{name}: {variable} is not set"


def check_app_services_wait_for_healthy_db_and_redis(compose):
    for dependency, probe in (("db", "pg_isready"), ("redis", "redis-cli")):
        healthcheck = (services(compose).get(dependency) or {}).get("healthcheck") or {}
        assert not healthcheck.get("disable"), f"{dependency}'s healthcheck is disabled"
        assert probe in " ".join(command_words(healthcheck.get("test"))), (
            f"{dependency} has no healthcheck using {probe}"
        )
    for name in APP_SERVICES:
        depends_on = (services(compose).get(name) or {}).get("depends_on") or {}
        assert isinstance(depends_on, dict), f"{name}: depends_on must give conditions"
        for dependency in ("db", "redis"):
            condition = (depends_on.get(dependency) or {}).get("condition")
            assert condition == "service_healthy", f"{name} does not wait for {dependency} healthy"


def check_db_keeps_its_data_in_a_named_volume(compose):
    db = services(compose).get("db") or {}
    assert str(db.get("image", "")).startswith("postgres:16"), "db is not postgres:16"
    named = set(compose.get("volumes") or {})
    mounted = {str(volume).split(":")[0] for volume in db.get("volumes") or []}
    assert mounted & named, "db's data is not in a named volume"
    assert str((services(compose).get("redis") or {}).get("image", "")).startswith("redis:7")


def check_web_serves_gunicorn_on_8000(compose):
    web = services(compose).get("web") or {}
    words = command_words(web.get("command"))
    assert "gunicorn" in words and "config.wsgi" in words, "web does not run gunicorn config.wsgi"
    assert any(word.endswith(":8000") for word in words), "gunicorn does not bind port 8000"
    published = [str(port) for port in web.get("ports") or []]
    assert any(re.search(r"(^|:)8000(/tcp)?$", port) for port in published), (
        "web does not publish port 8000"
    )


def check_worker_and_beat_run_celery(compose):
    for name, role in (("worker", "worker"), ("beat", "beat")):
        words = command_words((services(compose).get(name) or {}).get("command"))
        assert words[:1] == ["celery"], f"{name} does not run celery"
        assert app_option(words) == "config", f"{name} does not run celery -A config"
        assert role in words, f"{name} does not run celery {role}"


def check_migrations_run_before_web_serves(compose):
    web = services(compose).get("web") or {}
    own = " ".join(command_words(web.get("entrypoint")) + command_words(web.get("command")))
    if "manage.py migrate" in own:
        assert own.index("manage.py migrate") < own.index("gunicorn"), "web migrates after serving"
        return
    depends_on = web.get("depends_on") or {}
    assert isinstance(depends_on, dict), "web's depends_on gives no conditions"
    migrators = [
        name
        for name, service in services(compose).items()
        if "manage.py migrate" in " ".join(command_words(service.get("command")))
    ]
    assert migrators, "no service runs manage.py migrate"
    assert any(
        (depends_on.get(name) or {}).get("condition") == "service_completed_successfully"
        for name in migrators
    ), "web does not wait for the migration to finish"


def check_mail_catcher(compose):
    mail = services(compose).get("mail") or {}
    assert mail.get("image"), "mail has no image"
    published = " ".join(str(port) for port in mail.get("ports") or [])
    assert "8025" in published, "the mail catcher's web page (8025) is not published"


COMPOSE_CHECKS = [
    check_services_exist,
    check_app_services_share_image_and_environment,
    check_environment_points_at_the_services,
    check_app_services_wait_for_healthy_db_and_redis,
    check_db_keeps_its_data_in_a_named_volume,
    check_web_serves_gunicorn_on_8000,
    check_worker_and_beat_run_celery,
    check_migrations_run_before_web_serves,
    check_mail_catcher,
]


# --- Checks on the Dockerfile ----------------------------------------------------------


def check_runs_on_python_312_slim(text):
    stage = final_stage(text)
    assert stage[0][1].split()[0] == "python:3.12-slim", "the running image is not python:3.12-slim"


def check_installs_weasyprint_libraries(text):
    installs = " ".join(
        arguments
        for keyword, arguments in final_stage(text)
        if keyword == "RUN" and "apt-get install" in arguments
    ).split()
    for package in WEASYPRINT_PACKAGES:
        assert package in installs, f"the image does not install {package}"
    assert any(word.startswith("fonts-") for word in installs), "the image installs no fonts"


def check_installs_the_project_without_dev_extras(text):
    pip = [
        args for keyword, args in final_stage(text) if keyword == "RUN" and "pip install" in args
    ]
    assert pip, "the project is not installed with pip"
    for arguments in pip:
        assert not re.search(r"(^|\s)(-e|--editable)\s", arguments), "pip install is editable"
        assert "[dev]" not in arguments, "pip installs the dev extras"


def check_collects_static_files_without_a_baked_key(text):
    stage = final_stage(text)
    collect = [args for keyword, args in stage if keyword == "RUN" and "collectstatic" in args]
    assert collect and "--noinput" in collect[0], "collectstatic --noinput does not run"
    assert "DJANGO_SECRET_KEY=" in collect[0], "collectstatic gets no build-only key"
    assert not any(
        keyword in ("ENV", "ARG") and "DJANGO_SECRET_KEY" in arguments
        for keyword, arguments in stage
    ), "a secret key is baked into the image"


def check_runs_as_a_non_root_user(text):
    stage = final_stage(text)
    keywords = [keyword for keyword, _ in stage]
    assert "USER" in keywords and "CMD" in keywords, "no USER or no CMD"
    last_user = max(i for i, keyword in enumerate(keywords) if keyword == "USER")
    assert last_user < keywords.index("CMD"), "USER comes after CMD"
    user = stage[last_user][1].split(":")[0]
    assert user not in ("root", "0"), "the image runs as root"


def check_serves_gunicorn_with_a_health_check(text):
    stage = dict(final_stage(text))
    assert "/healthz" in stage.get("HEALTHCHECK", ""), "no HEALTHCHECK on /healthz"
    assert "8000" in stage.get("EXPOSE", "").split(), "port 8000 is not exposed"
    cmd = stage.get("CMD", "")
    assert "gunicorn" in cmd and "config.wsgi" in cmd and "0.0.0.0:8000" in cmd, (
        "CMD is not gunicorn config.wsgi on 0.0.0.0:8000"
    )


DOCKERFILE_CHECKS = [
    check_runs_on_python_312_slim,
    check_installs_weasyprint_libraries,
    check_installs_the_project_without_dev_extras,
    check_collects_static_files_without_a_baked_key,
    check_runs_as_a_non_root_user,
    check_serves_gunicorn_with_a_health_check,
]


# --- The tests -------------------------------------------------------------------------


@pytest.mark.parametrize("check", COMPOSE_CHECKS, ids=lambda check: check.__name__)
def test_compose(check):
    check(load_compose())


@pytest.mark.parametrize("check", DOCKERFILE_CHECKS, ids=lambda check: check.__name__)
def test_dockerfile(check):
    check(dockerfile_text())


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    }
    for path in (".git", ".venv", "node_modules", "var", "staticfiles", "static/build"):
        assert path in ignored, f".dockerignore does not leave out {path}"


def test_procfile_starts_web_worker_and_beat():
    processes = {}
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        name, _, command = line.partition(":")
        if command:
            processes[name.strip()] = shlex.split(command)
    assert processes.get("web", [])[:2] == ["gunicorn", "config.wsgi"]
    for name in ("worker", "beat"):
        words = processes.get(name, [])
        assert words[:1] == ["celery"] and app_option(words) == "config" and name in words


# Broken copies of the real files: each must be caught by at least one check.


def _without(name):
    def mutate(compose):
        del compose["services"][name]

    return mutate


def _set(service, key, value):
    def mutate(compose):
        compose["services"][service][key] = value

    return mutate


def _env(service, variable, value):
    def mutate(compose):
        env = dict(environment(compose["services"][service]))
        env[variable] = value
        compose["services"][service]["environment"] = env

    return mutate


COMPOSE_BREAKAGES = {
    "no web": _without("web"),
    "no worker": _without("worker"),
    "no beat": _without("beat"),
    "no db": _without("db"),
    "no redis": _without("redis"),
    "no mail": _without("mail"),
    "worker on another image": _set("worker", "image", "something-else:1"),
    "beat with its own environment": _env("beat", "DEFAULT_FROM_EMAIL", "other@example.org"),
    "database on localhost": _env("web", "DATABASE_URL", "postgres://proud@localhost/proud"),
    "secret key written in": _env("web", "DJANGO_SECRET_KEY", "not-secret"),
    "beat starts before db is healthy": _set("beat", "depends_on", ["db", "redis"]),
    "db without healthcheck": _set("db", "healthcheck", {"disable": True}),
    "web not published": _set("web", "ports", []),
    "web runs runserver": _set("web", "command", "python manage.py runserver 0.0.0.0:8000"),
    "worker runs beat": _set("worker", "command", "celery -A config beat"),
    "beat for another app": _set("beat", "command", "celery -A other beat"),
    "web does not wait for migrate": _set(
        "web",
        "depends_on",
        {"db": {"condition": "service_healthy"}, "redis": {"condition": "service_healthy"}},
    ),
}


def _failing(checks, subject) -> list[str]:
    failed = []
    for check in checks:
        try:
            check(subject)
        except AssertionError:
            failed.append(check.__name__)
    return failed


@pytest.mark.parametrize("breakage", COMPOSE_BREAKAGES, ids=str)
def test_compose_checks_catch(breakage):
    compose = copy.deepcopy(load_compose())
    COMPOSE_BREAKAGES[breakage](compose)
    assert _failing(COMPOSE_CHECKS, compose), f"no check notices: {breakage}"


DOCKERFILE_BREAKAGES = {
    "full python image": (r"(?m)^FROM python:3\.12-slim$", "FROM python:3.12"),
    "no pango": (r"libpango-1\.0-0 ", ""),
    "runs as root": (r"(?m)^USER \w+$", "USER root"),
    "no user at all": (r"(?m)^USER \w+$", ""),
    "no collectstatic": (r"collectstatic", "check"),
    "baked key": (r"(?m)^EXPOSE", "ENV DJANGO_SECRET_KEY=x\nEXPOSE"),
    "no health check": (r"/healthz", "/"),
    "editable install": (r"pip install \.", "pip install -e ."),
}


@pytest.mark.parametrize("breakage", DOCKERFILE_BREAKAGES, ids=str)
def test_dockerfile_checks_catch(breakage):
    pattern, replacement = DOCKERFILE_BREAKAGES[breakage]
    broken, count = re.subn(pattern, replacement, dockerfile_text())
    assert count, f"the breakage {breakage!r} no longer applies to the Dockerfile"
    assert _failing(DOCKERFILE_CHECKS, broken), f"no check notices: {breakage}"


def test_the_image_carries_the_letter_fonts_from_the_assets_stage():
    # recognition/letter_pdf.py draws every letter with these fonts alone and
    # refuses to render without them.
    copies = [args for name, args in dockerfile_instructions(dockerfile_text()) if name == "COPY"]
    assert any("--from=assets" in args and "node_modules/@fontsource" in args for args in copies)


def test_make_run_pins_links_to_the_web_servers_port():
    # honcho sets PORT to 8223 for the worker when the web has 8123; links in the emails
    # and letters the worker makes must still lead to the web server.
    shown = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (start,) = [line for line in shown.splitlines() if "honcho start" in line]
    assert start.startswith("SITE_URL=${SITE_URL:-http://127.0.0.1:8123} ")
