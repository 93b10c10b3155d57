"""Requests per second for a public story page and the stories feed, against a plain control page.

What it stresses: a whole anonymous request for /stories/<slug>/ as production
serves it (gunicorn with the production settings and middleware, as bench_home
describes): finding the story, reading the consent of everyone in it (checked on
every view), sanitising its words again, and the GOV.UK layout with the Open Graph
tags; and the same for /stories/feed/, the Atom feed of the newest stories with
their full text, their images' sizes and everyone's consent.

The control is bench_home's /bench/control/ on the same server, the same database
and the same demo data (the demo's published stories): the same middleware and
context processors but a plain template listing 50 items. The three pages take
turns, round by round, so drift on the machine touches all of them. The goal is
that the story page runs at least at half the control's rate; the feed's ratio is
reported beside it.

Memory is the peak resident set (VmHWM) of the gunicorn master and its workers,
added up: an upper bound, as forked workers share pages.

Usage: python bench/bench_stories.py [--requests N] [--rounds N] [--concurrency N]
Uses a temporary SQLite database unless DATABASE_URL is set (then a throwaway
database there is given the demo data). Prints one JSON object.
"""

import json
import re
from concurrent.futures import ThreadPoolExecutor

import support  # bench/support.py, beside this script
from bench_home import CONTROL, load, parse_args

FEED = "/stories/feed/"
GOAL_RATIO = 0.5


def first_story(port: int) -> str:
    """The address of the newest published story, as /stories/ lists it."""
    status, body = support.get(port, "/stories/")
    found = re.search(
        rb'<h2 class="govuk-heading-m"><a class="govuk-link" href="(/stories/[^"]+/)"', body
    )
    if status != 200 or found is None:
        raise RuntimeError(f"/stories/ answered {status} without a published story to read")
    return found.group(1).decode()


def check_pages(port: int, story: str) -> None:
    """Every page answers 200 with what it should show, before anything is timed."""
    status, body = support.get(port, story)
    if status != 200 or b'property="og:type" content="article"' not in body:
        raise RuntimeError(f"{story} answered {status} without its Open Graph tags")
    status, body = support.get(port, FEED)
    if status != 200 or b"<entry>" not in body:
        raise RuntimeError(f"{FEED} answered {status} without an entry")
    status, body = support.get(port, CONTROL)
    if status != 200 or b"Item 50" not in body:
        raise RuntimeError(f"the control page answered {status} without its 50 items")


def main() -> None:
    args = parse_args()
    support.stop_cleanly_on_sigterm()
    with support.demo_server(
        workers=args.workers, threads=args.threads, ready_path=CONTROL
    ) as server:
        story = first_story(server.port)
        check_pages(server.port, story)
        pages = (CONTROL, story, FEED)
        rates = {path: [] for path in pages}
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for path in pages:
                load(pool, args.concurrency, server.port, path, args.warmup)
            for _ in range(args.rounds):
                for path in pages:
                    rates[path].append(
                        load(pool, args.concurrency, server.port, path, args.requests)
                    )
        memory = server.peak_rss_mb()

    # Each round sent the same number of requests: the overall rate is their harmonic mean.
    control_rps = support.harmonic_mean(rates[CONTROL])
    story_rps = support.harmonic_mean(rates[story])
    feed_rps = support.harmonic_mean(rates[FEED])
    ratio = story_rps / control_rps
    print(
        json.dumps(
            {
                "benchmark": "stories",
                "inputs": {
                    "requests": args.requests,
                    "rounds": args.rounds,
                    "warmup": args.warmup,
                    "concurrency": args.concurrency,
                    "workers": args.workers,
                    "threads": args.threads,
                    "database": server.database,
                    "story": story,
                    "feed": FEED,
                    "control": CONTROL,
                },
                "story_rps": round(story_rps, 1),
                "feed_rps": round(feed_rps, 1),
                "control_rps": round(control_rps, 1),
                "story_rps_rounds": [round(rate, 1) for rate in rates[story]],
                "feed_rps_rounds": [round(rate, 1) for rate in rates[FEED]],
                "control_rps_rounds": [round(rate, 1) for rate in rates[CONTROL]],
                "story_ratio": round(ratio, 3),
                "feed_ratio": round(feed_rps / control_rps, 3),
                "goal": f"story page >= {GOAL_RATIO}x control",
                "met": ratio >= GOAL_RATIO,
                "peak_rss_mb": memory,
            }
        )
    )


if __name__ == "__main__":
    main()
