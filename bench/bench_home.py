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
import time
from concurrent.futures import ThreadPoolExecutor

import support  # bench/support.py, beside this script

HOST = support.HOST
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


def check_pages(port: int) -> None:
    """Both pages answer 200 with what they should show, before anything is timed."""
    status, body = support.get(port, HOME)
    if status != 200 or b"Proud to Support" not in body:
        raise RuntimeError(f"the home page answered {status} without the campaign name")
    status, body = support.get(port, CONTROL)
    if status != 200 or b"Item 50" not in body:
        raise RuntimeError(f"the control page answered {status} without its 50 items")


def main() -> None:
    args = parse_args()
    support.stop_cleanly_on_sigterm()
    with support.demo_server(
        workers=args.workers, threads=args.threads, ready_path=CONTROL
    ) as server:
        check_pages(server.port)
        rates = {HOME: [], CONTROL: []}
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for path in (CONTROL, HOME):
                load(pool, args.concurrency, server.port, path, args.warmup)
            for _ in range(args.rounds):
                for path in (CONTROL, HOME):
                    rates[path].append(
                        load(pool, args.concurrency, server.port, path, args.requests)
                    )
        memory = server.peak_rss_mb()

    # Each round sent the same number of requests: the overall rate is their harmonic mean.
    home_rps = support.harmonic_mean(rates[HOME])
    control_rps = support.harmonic_mean(rates[CONTROL])
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
                    "database": server.database,
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
