"""The platform's own processes, started the way an operator starts them.

A Celery worker and a gunicorn web server, each a real subprocess that reads
config/settings.py through DJANGO_SETTINGS_MODULE and is configured only by its
environment. They run in the test's var folder (PROUD_VAR_DIR), so the .eml
files a worker writes land where the test can read them, and their output
goes to a log file the test can search and show when something fails.
"""

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from tests.fault.broker import free_port, wait_until

BIN = Path(sys.executable).parent


def database_url() -> str:
    """A DATABASE_URL for the database this test runs against (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    assert connection.vendor == "postgresql", connection.vendor
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def environment(*, var_dir: Path, database: str, broker_environ: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("ANYMAIL_PROVIDER", "PROUD_DEMO_MODE"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "tests.settings"),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])
            ),
            "PYTHONUNBUFFERED": "1",
            "PROUD_VAR_DIR": str(var_dir),
            "DATABASE_URL": database,
            **broker_environ,
        }
    )
    return env


class Subprocess:
    """A long-running process with its output in a log file; stopped by its own id."""

    name = "process"

    def __init__(self, *, command: list[str], env: dict[str, str], cwd: Path, log: Path):
        self.command, self.env, self.cwd, self.log_path = command, env, cwd, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def check_running(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(
                f"The {self.name} exited with {self.process.returncode}:\n{self.log()}"
            )

    def ask_to_stop(self) -> None:
        """SIGTERM: a warm shutdown for a worker, a graceful one for gunicorn."""
        if self.running():
            self.process.terminate()

    def stop(self, *, timeout: float = 10) -> None:
        """Ask it to stop and wait; SIGKILL if it has not ended in time."""
        if self.process is None:
            return
        self.ask_to_stop()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class Worker(Subprocess):
    """`celery -A config worker`, one task at a time, as in a small deployment."""

    name = "Celery worker"

    def __init__(self, *, env: dict[str, str], cwd: Path, log: Path):
        super().__init__(
            command=[
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
                "--hostname",
                f"fault-{log.stem}@%h",
            ],
            env=env,
            cwd=cwd,
            log=log,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        def ready() -> bool:
            self.check_running()
            return " ready." in self.log()

        wait_until(
            ready, timeout=timeout, message=lambda: f"The worker did not start:\n{self.log()}"
        )

    def task_outcomes(self, task_name: str) -> list[str]:
        """The outcome, "succeeded" or "raised", of each run of `task_name` in the log."""
        outcomes = []
        for line in self.log().splitlines():
            if f"Task {task_name}[" in line:
                if " succeeded in " in line:
                    outcomes.append("succeeded")
                elif " raised " in line:
                    outcomes.append("raised")
        return outcomes


class WebServer(Subprocess):
    """gunicorn serving config.wsgi on a free port, as the Procfile runs it."""

    name = "web server"

    def __init__(self, *, env: dict[str, str], cwd: Path, log: Path):
        self.port = free_port()
        super().__init__(
            command=[
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "2",
                "--timeout",
                "30",
                # Not the shared ~/.gunicorn/gunicorn.ctl another server may be using.
                "--no-control-socket",
            ],
            env=env,
            cwd=cwd,
            log=log,
        )

    def get(self, path: str, *, timeout: float = 15) -> tuple[int, dict[str, str], str]:
        """GET `path`; the status, headers and body, whatever the status."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def wait_ready(self, timeout: float = 30) -> None:
        def answers() -> bool:
            self.check_running()
            try:
                self.get("/static/", timeout=2)
            except OSError:
                return False
            return True

        wait_until(
            answers,
            timeout=timeout,
            interval=0.2,
            message=lambda: f"gunicorn did not start:\n{self.log()}",
        )


def started(process: Subprocess, *, timeout: float = 30) -> Subprocess:
    process.start()
    process.wait_ready(timeout)
    return process
