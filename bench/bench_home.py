"""Requests per second for the public home page, against a plain control page.

What it stresses: a whole anonymous request for `/` as production serves it:
gunicorn (2 workers with threads, as in the Procfile) with the production
settings (debug off, the full middleware stack: security, WhiteNoise, sessions,
CSRF, CSP, allauth, the idle-timeout and MFA middleware), the council context
processor, the civic-year query and the GOV.UK layout (header, navigation,
footer, {% static %} and {% url %} lookups) under concurrent load.

The control is /bench/control/ (bench/urls.py) on the same server, the same
database and the same demo data: the same middleware and context processors
but a plain template listing 50 items. The two alternate, round by round, so
drift on the machine touches both. The goal is that the home page runs at
least at half the control's rate: the layout and the page itself may cost no
more than Django's own work per request does.

Memory is the peak resident set (VmHWM) of the gunicorn master and its
workers, added up: an upper bound, as forked workers share pages.

Usage: python bench/bench_home.py [--requests N] [--rounds N] [--concurrency N]
Uses a temporary SQLite database unless DATABASE_URL is set (then that database
is migrated and given the demo data). Prints one JSON object.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
HOME = "/"
CONTROL = "/bench/control/"
GOAL_RATIO = 0.5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="per page per round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of each page, alternating")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--warmup", type=int, default=200, help="requests per page before measuring"
    )
    return parser.parse_args()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def describe_database(url: str) -> str:
    """The database without its password, for the report."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"


def bench_environment(workdir: Path, port: int) -> tuple[dict[str, str], str]:
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


def start_gunicorn(env, port, args, log_path: Path) -> subprocess.Popen:
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
                str(args.workers),
                "--threads",
                str(args.threads),
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


def wait_until_serving(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text(errors='replace')}")
        try:
            if get(port, CONTROL)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in time:\n{log_path.read_text(errors='replace')}")


def _client(port: int, path: str, count: int) -> int:
    """`count` GETs on one kept-alive connection; returns how many were not 200."""
    failures = 0
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        for _ in range(count):
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (http.client.HTTPException, ConnectionError):
                connection.close()  # the server closed the connection: open another
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
            failures += status != 200
    finally:
        connection.close()
    return failures


def load(pool: ThreadPoolExecutor, concurrency: int, port: int, path: str, requests: int) -> float:
    """Sends `requests` GETs for `path` from `concurrency` threads; returns requests per second."""
    shares = [requests // concurrency + (i < requests % concurrency) for i in range(concurrency)]
    started = time.perf_counter()
    failures = sum(pool.map(lambda count: _client(port, path, count), shares))
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{failures} of {requests} requests for {path} did not answer 200")
    return requests / elapsed


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
    pids = [server.pid, *_children(server.pid)]
    return round(sum(_peak_rss_kb(pid) for pid in pids) / 1024, 1)


def check_pages(port: int) -> None:
    """Both pages answer 200 with what they should show, before anything is timed."""
    status, body = get(port, HOME)
    if status != 200 or b"Proud to Support" not in body:
        raise RuntimeError(f"the home page answered {status} without the campaign name")
    status, body = get(port, CONTROL)
    if status != 200 or b"Item 50" not in body:
        raise RuntimeError(f"the control page answered {status} without its 50 items")


def _stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # so the finally block below stops gunicorn


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix="proud-bench-"))
    server = None
    try:
        port = free_port()
        env, database = bench_environment(workdir, port)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        log_path = workdir / "gunicorn.log"
        server = start_gunicorn(env, port, args, log_path)
        wait_until_serving(server, port, log_path)
        check_pages(port)

        rates = {HOME: [], CONTROL: []}
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for path in (CONTROL, HOME):
                load(pool, args.concurrency, port, path, args.warmup)
            for _ in range(args.rounds):
                for path in (CONTROL, HOME):
                    rates[path].append(load(pool, args.concurrency, port, path, args.requests))
        memory = peak_rss_mb(server)
    finally:
        if server is not None:
            stop_gunicorn(server)
        shutil.rmtree(workdir, ignore_errors=True)

    # Each round sent the same number of requests: the overall rate is their harmonic mean.
    home_rps = len(rates[HOME]) / sum(1 / rate for rate in rates[HOME])
    control_rps = len(rates[CONTROL]) / sum(1 / rate for rate in rates[CONTROL])
    ratio = home_rps / control_rps
    print(
        json.dumps(
            {
                "benchmark": "home",
                "inputs": {
                    "requests": args.requests,
                    "rounds": args.rounds,
                    "warmup": args.warmup,
                    "concurrency": args.concurrency,
                    "workers": args.workers,
                    "threads": args.threads,
                    "database": database,
                    "home": HOME,
                    "control": CONTROL,
                },
                "home_rps": round(home_rps, 1),
                "control_rps": round(control_rps, 1),
                "home_rps_rounds": [round(rate, 1) for rate in rates[HOME]],
                "control_rps_rounds": [round(rate, 1) for rate in rates[CONTROL]],
                "ratio": round(ratio, 3),
                "goal": f"home >= {GOAL_RATIO}x control",
                "met": ratio >= GOAL_RATIO,
                "peak_rss_mb": memory,
            }
        )
    )


if __name__ == "__main__":
    main()
