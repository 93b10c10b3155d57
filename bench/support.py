"""What the benchmarks share: a throwaway server with the demo data, plain HTTP
clients, and the server's peak memory.

`demo_server()` makes a temporary folder (the SQLite database, unless
DATABASE_URL is set, and PROUD_VAR_DIR with the file broker's queue), migrates,
loads the demo data, starts gunicorn with the production settings plus
bench/urls.py on a free port, and stops it and removes the folder however the
benchmark ends (an error, Ctrl-C or SIGTERM included).
"""

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def describe_database(url: str) -> str:
    """The database without its password, for the report."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"


def bench_environment(workdir: Path, port: int) -> tuple[dict[str, str], str]:
    """The environment for bench.settings: production settings, files under `workdir`.

    Returns it with a description of the database for the report.
    """
    env = dict(os.environ)
    env.pop("PROUD_DEMO_MODE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="false",
        PROUD_PLAIN_STATIC="true",
        PROUD_VAR_DIR=str(workdir / "var"),
        SITE_URL=f"http://{HOST}:{port}",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    if env.get("DATABASE_URL"):
        database = describe_database(env["DATABASE_URL"])
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
        database = "sqlite (temporary file)"
    return env, database


def manage(env: dict[str, str], *arguments: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}"
        )


def start_gunicorn(
    env: dict[str, str], port: int, *, workers: int, threads: int, log_path: Path
) -> subprocess.Popen:
    log = open(log_path, "wb")  # noqa: SIM115  (gunicorn keeps writing to it)
    try:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-tmp-dir",
                "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    finally:
        log.close()


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)
    except ProcessLookupError:
        pass


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_serving(server: subprocess.Popen, port: int, path: str, log_path: Path) -> None:
    """Waits until `path` answers 200."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text(errors='replace')}")
        try:
            if get(port, path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in time:\n{log_path.read_text(errors='replace')}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces, so split after the ")".
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb(server: subprocess.Popen) -> float:
    """The peak resident set of the gunicorn master and its workers, added up: an upper
    bound, as forked workers share pages."""
    pids = [server.pid, *_children(server.pid)]
    return round(sum(_peak_rss_kb(pid) for pid in pids) / 1024, 1)


def harmonic_mean(rates: list[float]) -> float:
    """The overall rate of rounds that each did the same amount of work."""
    return len(rates) / sum(1 / rate for rate in rates)


def _stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # so the `finally` blocks run and gunicorn is stopped


def stop_cleanly_on_sigterm() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    database: str
    workdir: Path

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.process)


@contextmanager
def demo_server(*, workers: int, threads: int, ready_path: str) -> Iterator[Server]:
    """A gunicorn server with the demo data on a fresh temporary folder, stopped on exit."""
    workdir = Path(tempfile.mkdtemp(prefix="proud-bench-"))
    process = None
    try:
        port = free_port()
        env, database = bench_environment(workdir, port)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        log_path = workdir / "gunicorn.log"
        process = start_gunicorn(env, port, workers=workers, threads=threads, log_path=log_path)
        wait_until_serving(process, port, ready_path, log_path)
        yield Server(port=port, process=process, database=database, workdir=workdir)
    finally:
        if process is not None:
            stop_gunicorn(process)
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def django_in_process(workdir: Path) -> Iterator[str]:
    """Django in this process on a fresh database with the demo data; yields its description.

    SQLite: a file in `workdir`. PostgreSQL (DATABASE_URL set): a throwaway database
    with a name of its own beside DATABASE_URL's, dropped afterwards.
    """
    import io
    import logging

    env, database = bench_environment(workdir, free_port())
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # The file broker has no host name, and kombu says so each time a task is published.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_demo", stdout=io.StringIO())
        yield database
        return
    original = connection.settings_dict["NAME"]
    name = f"proud_bench_{secrets.token_hex(4)}"  # never another run's test database
    connection.settings_dict["TEST"]["NAME"] = name
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        call_command("load_demo", stdout=io.StringIO())
        yield f"{database} (throwaway database {name})"
    finally:
        if connection.settings_dict["NAME"] == name:  # only ever drop the throwaway one
            connection.creation.destroy_test_db(original, verbosity=0)
