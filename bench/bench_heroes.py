"""The roll of honour: /heroes/ at 1,000 and 100,000 names, and under load against a control.

Two parts, each with its goal and whether it was met.

1. Scale. What it stresses: a whole GET of `/heroes/` through Django (the
   production settings and middleware, in this process with Django's test
   client, no server) on one database that first holds 1,000 listed names and
   then 100,000: the roll's version read, the filter lists, the count (kept
   with the version for the whole roll; counted for a search), the page of 20
   A to Z through the partial index (or the search index: PostgreSQL's GIN on a
   tsvector, SQLite's FTS5), the story links and the GOV.UK page. Two pages:
   the first page of the roll, and a search for a surname (`--search`), which
   matches about one name in sixty at either size. Names are added with
   `recognition.honours.generate` (as `manage.py honours_generate` does) on top
   of the demo data. Each is timed cold (the cache emptied before every
   request, so every query runs, as after any consent change) and warm (the
   page from the cache, as between changes). Figures: the queries per request
   and the median (p50) milliseconds of each. Goals: the same number of queries
   at both sizes, and p50 at 100,000 at most 1.5x p50 at 1,000.

2. Load. What it stresses: `/heroes/` (first page) against bench_home's control
   (/bench/control/: the same middleware and context processors, a plain
   template of 50 items) on one gunicorn server (2 workers with threads, as in
   the Procfile) with the demo data plus `--load-names` generated names,
   alternating round by round from concurrent clients. Requests per second of
   each (harmonic mean of the rounds); the goal: /heroes/ at least 0.5x the
   control. Each worker keeps its own cache (no Redis unless REDIS_URL is set)
   and reads the roll's version from the database on every request.

Memory: this process's peak resident set after part 1 (ru_maxrss), and the
gunicorn master and workers' peak in part 2, added up (an upper bound).

Usage: python bench/bench_heroes.py [--sizes 1000 100000] [--load-names N] [--only scale|load]
Uses temporary SQLite databases unless DATABASE_URL is set (part 1: a throwaway
database beside it; part 2: that database itself, as bench_home). Prints one JSON object.
"""

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bench_home  # bench/bench_home.py: the control and the load client
import support  # bench/support.py, beside this script

HEROES = "/heroes/"
CONTROL = bench_home.CONTROL
SCALE_GOAL_RATIO = 1.5
LOAD_GOAL_RATIO = 0.5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 100_000], metavar="N")
    parser.add_argument("--search", default="robson", help="the search timed in part 1")
    parser.add_argument(
        "--samples", type=int, default=200, help="timed requests per page, size and cache state"
    )
    parser.add_argument("--load-names", type=int, default=100_000, help="names in part 2")
    parser.add_argument("--requests", type=int, default=1000, help="per page per round in part 2")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--only", choices=["scale", "load"], help="run one part only")
    args = parser.parse_args()
    if args.sizes[0] >= args.sizes[1]:
        parser.error("--sizes takes the smaller size first")
    return args


# --- Part 2: under load ---------------------------------------------------------------------


def under_load(args) -> dict:
    with support.demo_server(
        workers=args.workers, threads=args.threads, ready_path=CONTROL
    ) as server:
        env, _database = support.bench_environment(server.workdir, server.port)
        started = time.perf_counter()
        support.manage(
            env, "honours_generate", "--count", str(args.load_names), "--batch-size", "5000"
        )
        generated_seconds = time.perf_counter() - started
        status, body = support.get(server.port, HEROES)
        listed = _listed_from(body)
        if status != 200 or listed < args.load_names:
            raise RuntimeError(f"/heroes/ answered {status} with {listed} names")
        rates = {HEROES: [], CONTROL: []}
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for path in (CONTROL, HEROES):
                bench_home.load(pool, args.concurrency, server.port, path, args.warmup)
            for _ in range(args.rounds):
                for path in (CONTROL, HEROES):
                    rates[path].append(
                        bench_home.load(pool, args.concurrency, server.port, path, args.requests)
                    )
        memory = server.peak_rss_mb()
        database = server.database
    heroes_rps = support.harmonic_mean(rates[HEROES])
    control_rps = support.harmonic_mean(rates[CONTROL])
    ratio = heroes_rps / control_rps
    return {
        "database": database,
        "names_listed": listed,
        "generate_seconds": round(generated_seconds, 1),
        "requests": args.requests,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "threads": args.threads,
        "heroes_rps": round(heroes_rps, 1),
        "control_rps": round(control_rps, 1),
        "heroes_rps_rounds": [round(rate, 1) for rate in rates[HEROES]],
        "control_rps_rounds": [round(rate, 1) for rate in rates[CONTROL]],
        "ratio": round(ratio, 3),
        "goal": f"/heroes/ >= {LOAD_GOAL_RATIO}x control",
        "met": ratio >= LOAD_GOAL_RATIO,
        "peak_rss_mb": memory,
    }


def _listed_from(body: bytes) -> int:
    import re

    found = re.search(rb"([\d,]+) names?", body)
    return int(found.group(1).replace(b",", b"")) if found else 0


# --- Part 1: at two sizes -------------------------------------------------------------------


def _timed(client, path: str, samples: int, *, cold: bool) -> tuple[float, int]:
    """p50 milliseconds of `samples` GETs, and the queries of one of them."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    queries = len(captured)  # now: the next request empties Django's query log
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    times = []
    for _ in range(samples):
        if cold:
            cache.clear()
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), queries


def at_sizes(args, workdir: Path) -> dict:
    with support.django_in_process(workdir) as database:
        from django.test import Client

        from nominations.demo import CAMPAIGN_SLUG
        from nominations.models import Campaign
        from recognition.honours import generate
        from recognition.honours.selectors import roll_state

        campaign = Campaign.objects.get(slug=CAMPAIGN_SLUG)
        client = Client(HTTP_HOST=support.HOST)
        pages = {"first_page": HEROES, "search": f"{HEROES}?q={args.search}"}
        client.get(HEROES)  # the site's first request makes the council's settings row
        results = {}
        for size in args.sizes:
            missing = size - roll_state().listed_count
            if missing > 0:
                generate.generate_heroes(campaign=campaign, count=missing, batch_size=5000)
            state = roll_state()
            row = {"names_listed": state.listed_count}
            for name, path in pages.items():
                cold_ms, cold_queries = _timed(client, path, args.samples, cold=True)
                warm_ms, warm_queries = _timed(client, path, args.samples, cold=False)
                row[name] = {
                    "path": path,
                    "matches": _listed_from(client.get(path).content),
                    "cold_p50_ms": round(cold_ms, 2),
                    "cold_queries": cold_queries,
                    "warm_p50_ms": round(warm_ms, 2),
                    "warm_queries": warm_queries,
                }
            results[str(size)] = row
    small, large = (results[str(size)] for size in args.sizes)
    goals = {}
    for name in pages:
        for kind in ("cold", "warm"):
            ratio = large[name][f"{kind}_p50_ms"] / small[name][f"{kind}_p50_ms"]
            goals[f"{name}_{kind}"] = {
                "p50_ratio": round(ratio, 3),
                "p50_met": ratio <= SCALE_GOAL_RATIO,
                "same_queries": large[name][f"{kind}_queries"] == small[name][f"{kind}_queries"],
            }
    return {
        "database": database,
        "samples": args.samples,
        "sizes": results,
        "goal": f"same queries, and p50 at {args.sizes[1]:,} <= {SCALE_GOAL_RATIO}x p50 at {args.sizes[0]:,}",
        "results": goals,
        "met": all(goal["p50_met"] and goal["same_queries"] for goal in goals.values()),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    args = parse_args()
    support.stop_cleanly_on_sigterm()
    # Part 2 first: part 1 sets this process's environment to its own database.
    load = None if args.only == "scale" else under_load(args)
    scale = None
    if args.only != "load":
        workdir = Path(tempfile.mkdtemp(prefix="proud-bench-heroes-"))
        try:
            scale = at_sizes(args, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        json.dumps(
            {
                "benchmark": "heroes",
                "python": sys.version.split()[0],
                "scale": scale,
                "load": load,
                "met": all(part["met"] for part in (scale, load) if part is not None),
            }
        )
    )


if __name__ == "__main__":
    main()
