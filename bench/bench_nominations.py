"""Nominations: how fast the public form takes them, and how fast a new one is matched.

Two parts, each against its own control in the same run, on the same data.

1. Submission. What it stresses: the last step of the public journey as
   production serves it, POST /nominate/check/ on gunicorn (2 workers with
   threads, as in the Procfile) with the production settings: the session read
   and written back, CSRF, the campaign, category and ward queries, and
   `nomination_receive`, which saves the nomination as one row (a
   NominationReceipt with the journey's answers) and queues nothing; the
   worker files it within seconds (beat runs `file_received` every 5 s).
   Each timed POST carries its own visitor's session, filled beforehand, and not
   timed, by /bench/journey/ (bench/urls.py): it runs every question's form
   over a complete set of answers and keeps them with `Journey.save_step`, as
   the question pages do; each visitor first fetched its CSRF token from a real
   question page. The control is /bench/insert/ on the same server: a POST
   (CSRF-exempt) that inserts one row into the audit log
   (council.models.AuditLogEntry, `objects.create`) and answers 204. The two
   alternate, round by round, with a third series, the floor: /bench/journey-insert/,
   the final step's own work around the nomination (the session read, the
   journey checked complete, the journey cleared and the next page's facts
   written back, the redirect) with one audit-log insert in place of the
   receipt, each POST carrying its own filled session as the real ones do.
   `floor_ratio` (floor against control) is about the most `ratio` could
   become while the journey is kept in a server-side session. Rate limiting is
   off (RATELIMIT_ENABLE = False in bench/settings.py), or one address could
   send only 20.

   Afterwards the receipts are counted, then filed by /bench/file/, which runs
   the worker's own `nominations_file_received` in the server (timed there,
   reported as `filing`: the Nominee, the Nomination, its audit row and the
   OutboundEmail of the confirmation email, whose Celery task is published to
   the file broker under the temporary PROUD_VAR_DIR, or to REDIS_URL if set).
   Every submission answered with the redirect to /nominate/sent/ must have
   its receipt, and once filed its Nomination and its OutboundEmail (`lost`
   must be 0). The goal: at least 0.3x the control's rate.

2. Matching. What it stresses: `nominations.matching.find_matches` for a new
   nominee against a large catalogue, in this process, with no server:
   N nominees (100,000 by default) are bulk-created with varied names (about
   300 first names and 500 surnames, common ones more often, plus businesses
   and groups), the demo wards, and some emails, phones and postcodes, each
   normalised by the service's own `_nominee_fields`. Then new nominees, half
   of them near-duplicates of stored ones (a nickname, a title, an initial, a
   surname spelt differently, sometimes the same email, phone or postcode) and
   half new, are saved and matched one by one. The control, timed alternately
   with it for the same nominees, is one indexed lookup:
   `Nominee.objects.filter(email=...).first()`. The goal: a median under 50 ms
   per new nomination. How many near-duplicates were found is a sanity figure.

Memory: for part 1, the peak resident set of the gunicorn master and workers
added up (an upper bound, as forked workers share pages); for part 2, this
process's peak (ru_maxrss).

Usage: python bench/bench_nominations.py [--submits N] [--concurrency N] [--nominees N]
Uses temporary SQLite databases unless DATABASE_URL is set: then part 1 uses
that database (migrated and given the demo data, as bench_home does) and part 2
a throwaway database created beside it and dropped afterwards. Prints one JSON
object; exits with status 1 if a request failed or the rows do not add up.
"""

import argparse
import http.client
import json
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import support  # bench/support.py, beside this script

HOST = support.HOST
SUBMIT = "/nominate/check/"
SENT = "/nominate/sent/"
CONTROL = "/bench/insert/"
FLOOR = "/bench/journey-insert/"
SUBMISSION_GOAL = 0.3
# Set when the run is interrupted, so client threads stop before the server is stopped.
STOPPING = threading.Event()
MATCHING_GOAL_MS = 50

FIRST_NAMES = """
Aaliyah Aaron Abdul Abigail Adam Adeel Ade Adrian Agnieszka Ahmed Aidan Aisha Alan Albert
Alexander Alfie Ali Alice Alison Amanda Amber Amelia Amir Amy Andrea Andrew Angela Anita Ann
Anna Anne Anthony Archie Arthur Asha Ashley Audrey Ava Barbara Barry Beatrice Ben Benjamin
Bernard Beth Beverley Bilal Brenda Brian Bridget Bronwen Callum Carl Carol Caroline Catherine
Charlie Charlotte Chloe Christine Christopher Ciara Claire Colin Connor Craig Daniel Darren
David Dawn Dean Deborah Declan Denise Dennis Derek Diane Dominic Donna Doreen Dorothy Duncan
Dylan Edward Eileen Elaine Eleanor Elizabeth Ella Ellie Emily Emma Eric Ethan Evelyn Fatima
Finley Fiona Frances Francis Frank Freddie Freya Gareth Gary Gemma Geoffrey George Georgia
Gillian Glenn Gordon Grace Graham Grzegorz Hannah Harjit Harriet Harry Harvey Hassan Hayley
Heather Helen Henry Hilda Holly Hugh Ian Imran Irene Isaac Isabel Isla Jack Jacob Jacqueline
Jade Jake James Jamie Jan Jane Janet Janice Jasmine Jason Jayden Jean Jennifer Jessica Joan
Joanne John Jonathan Joseph Joshua Joyce Judith Julie Justyna Karen Kasia Katherine Kathleen
Katie Kayleigh Keith Kelly Kenneth Kerry Kevin Kieran Kirsty Kwame Laura Lauren Leah Lee Leo
Leon Lesley Lewis Liam Lily Linda Lisa Logan Lorraine Louise Lucy Luke Lynn Madison Maisie
Malcolm Mandy Marcus Margaret Maria Marie Marion Mark Martin Mary Mason Matthew Maureen Megan
Melanie Michael Michelle Mohammed Molly Muhammad Nadia Naomi Natalie Nathan Neil Nicholas
Nicola Niamh Noah Norma Norman Oliver Olivia Oscar Owen Paige Pamela Patricia Patrick Paul
Pauline Peter Philip Phoebe Piotr Poppy Priya Rachel Rajesh Rebecca Reece Rhys Richard Rita
Robert Robin Roger Ronald Rosemary Ross Ruby Russell Ruth Ryan Sadia Sally Samantha Samuel
Sandra Sarah Scott Sean Shabana Sharon Sheila Shirley Simon Siobhan Sophie Stacey Stanley
Stephanie Stephen Steven Stuart Susan Suzanne Sylvia Tariq Teresa Terence Thomas Tina Toby
Tomasz Tracey Trevor Tyler Valerie Vanessa Victoria Vincent Violet Wendy William Yasmin Yusuf
Zara Zoe Zofia Adebayo Chidi Ngozi Oluwaseun Tunde Ifeoma Mei Wei Jun Hui Kiran Sunita Deepak
Anil Pooja Ravi Nasreen Shazia Farah Omar Khalid Layla
""".split()  # noqa: SIM905  (names read better as text)

SURNAMES = """
Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson
Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner
Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott
Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson
Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams
Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell
Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens
Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews
Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson
Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose Booth Perry Ryan Grant Wells
Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page
Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton
Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess
Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne
Sutton McDonald Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss
McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle
Wallace George Jordan Hutchinson Rowe Burke May Pritchard Gilbert Willis Higgins Read Miles
Stevenson Stephenson Hammond Arnold Buckley Walters Hewitt Barber Nelson Slater Austin Sullivan
Whitehead Mann Frost Lambert Stephens Blake Akhtar Lynch Goodwin Barton Woodward Thomson
Cunningham Quinn Barnett Baxter Bibi Clayton Nash Greenwood Jennings Holt Kemp Poole Gallagher
Bond Stokes Tucker Davidson Fowler Heath Norman Middleton Lawson Banks French Stanley Jarvis
Gibbs Ferguson Hayward Carroll Douglas Dickinson Todd Barlow Peters Lucas Knowles Hartley Miah
Simmons Morton Alexander Field Morrison Norris Townsend Preston Hancock Thornton Baldwin
Burrows Briggs Storey Pickering Naylor Charlton Milburn Dodds Forster Heron Liddell Nixon
Ridley Tate Thirlwell Wake Hedley Laidler Surtees Swinburne Tweddle Brannigan Cairns Coulson
Dobson Emmerson Fenwick Gowland Heslop Hogg Hindmarsh Kirkup Lamb Lumsden Marley Oxley Pattinson
Pringle Rutherford Scollen Shotton Stoddart Tait Teasdale Trotter Waugh Weatherburn Wilkin
Mackenzie Macdonald MacLeod McLaughlin McGuinness McKenna McGrath McAllister McBride McCann
Kowalski Nowak Wisniewski Wojcik Kaminski Lewandowski Zielinski Szymanski Mazur Krawczyk
Okafor Adeyemi Mensah Osei Okonkwo Nwosu Abiodun Boateng Asante Owusu Chen Wang Li Zhang Liu
Yang Huang Zhao Wu Zhou Nguyen Tran Pham Le Hoang Kumar Sharma Gupta Chowdhury Rahman Islam
Uddin Hossain Mahmood Iqbal Aziz Rashid Malik Qureshi Siddiqui Bashir Hassan Mohamed Abdullah
Ibrahim Yilmaz Demir Kaya Silva Santos Pereira Costa Ferreira Rossi Russo Romano Esposito
Bianchi Kennelly Kelleher Brennan Donnelly Fitzgerald Flanagan Gormley Hennessy Keane Lennon
Maguire Mulligan Nolan Quigley Regan Sheridan Tierney Whelan Ahern Boyle Casey Connolly Cullen
Daly Duffy Farrell Fallon Hogan Kavanagh Lynam Madden Moran Power Rafferty Sweeney Toner
Ashworth Bamford Birch Blackburn Bolton Bowden Bramley Brierley Butterworth Chadwick Crowther
Drinkwater Eccles Entwistle Fairclough Greenhalgh Haworth Heywood Hindley Holden Horrocks
Kershaw Lord Mellor Ogden Pilling Ramsbottom Schofield Sutcliffe Whittaker Worthington Ackroyd
Barraclough Brearley Dyson Firth Haigh Hirst Illingworth Jagger Lockwood Mossop Rushworth
Sykes Thackeray Wadsworth Appleby Bainbridge Dent Metcalfe Hutton Raine Pinkney Alderson
Beadle Coates Dinsdale Kipling Lister Tindall Raper Wardle Lupton Lightfoot Gaskell Hebden
""".split()  # noqa: SIM905  (names read better as text)

PLACES = [
    "Westoe",
    "Cleadon",
    "Harton",
    "Boldon",
    "Hebburn",
    "Jarrow",
    "Whitburn",
    "Marsden",
    "Simonside",
    "Biddick",
    "Primrose",
    "Tyne Dock",
    "Laygate",
    "Horsley Hill",
    "Brockley Whins",
    "Fellgate",
    "Monkton",
    "Bede",
]
BUSINESSES = [
    "Bakery",
    "Pharmacy",
    "Butchers",
    "Post Office",
    "Cafe",
    "Garage",
    "Hair Salon",
    "Convenience Store",
    "Fish and Chips",
    "Florist",
    "Dental Practice",
    "Surgery",
    "Builders",
    "Taxis",
    "Launderette",
]
GROUPS = [
    "Litter Pickers",
    "Food Bank",
    "Community Garden",
    "Lunch Club",
    "Walking Group",
    "Youth Club",
    "Scouts",
    "Allotment Society",
    "Residents Association",
    "Mutual Aid",
    "Foodbank Volunteers",
    "Men's Shed",
]
STREETS = ["Road", "Street", "Lane", "Terrace", "Avenue", "Grove", "Close", "Crescent", "Way"]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
DOMAINS = ["example.net", "example.org", "example.com", "mail.example.net"]
NICKNAME_OF = {
    "Robert": "Bob",
    "William": "Bill",
    "James": "Jim",
    "David": "Dave",
    "Michael": "Mike",
    "Elizabeth": "Liz",
    "Katherine": "Kate",
    "Susan": "Sue",
    "Anthony": "Tony",
    "Andrew": "Andy",
    "Christopher": "Chris",
    "Stephen": "Steve",
    "Peter": "Pete",
    "Thomas": "Tom",
    "Joseph": "Joe",
    "Daniel": "Dan",
    "Samuel": "Sam",
    "Benjamin": "Ben",
    "Matthew": "Matt",
    "Nicholas": "Nick",
    "Patricia": "Pat",
    "Margaret": "Maggie",
    "Jennifer": "Jenny",
    "Alexander": "Alex",
    "Edward": "Ted",
    "John": "Jack",
    "Henry": "Harry",
    "Richard": "Rick",
}
REASONS = [
    "She does the shopping for six housebound neighbours every week, whatever the weather.",
    "He ran the lunch club every weekday through the winter and drove people home afterwards.",
    "They kept the pantry open every evening and delivered to people shielding at home.",
    "She organised a sponsored walk that raised money for the food bank and recruited helpers.",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--submits", type=int, default=300, help="nominations (and control inserts) per round"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each, alternating")
    parser.add_argument("--warmup", type=int, default=40, help="of each before measuring")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--nominees", type=int, default=100_000, help="stored before matching")
    parser.add_argument(
        "--new", type=int, default=200, help="new nominees matched, half near-duplicates"
    )
    parser.add_argument("--seed", type=int, default=2026, help="for the generated people")
    return parser.parse_args()


# --- Generated people ----------------------------------------------------------------


def _weights(count: int) -> list[float]:
    """Common names first and more often (Zipf-like): the most common surname is ~2% of all."""
    return [1 / (rank + 1) ** 0.5 for rank in range(count)]


SURNAME_WEIGHTS = _weights(len(SURNAMES))
FIRST_NAME_WEIGHTS = _weights(len(FIRST_NAMES))


def _postcode(rng: random.Random) -> str:
    letters = "".join(rng.choice(POSTCODE_LETTERS) for _ in range(2))
    return f"NE{rng.randint(31, 36)} {rng.randint(1, 9)}{letters}"


def _phone(rng: random.Random) -> str:
    return f"07700 9{rng.randint(0, 99999):05d}"


def person(rng: random.Random) -> dict:
    """Someone (or some business or group) as a nominator would describe them."""
    first = rng.choices(FIRST_NAMES, FIRST_NAME_WEIGHTS)[0]
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    roll = rng.random()
    if roll < 0.06:
        kind, name = (
            "business",
            f"{rng.choice(PLACES)} {rng.choice(STREETS)} {rng.choice(BUSINESSES)}",
        )
    elif roll < 0.1:
        kind, name = "group", f"{rng.choice(PLACES)} {rng.choice(GROUPS)}"
    else:
        kind = "young_person" if roll < 0.15 else "person"
        name = f"{first} {surname}"
    local = re.sub(r"[^a-z]", "", f"{first}.{surname}".lower())
    return {
        "nominee_kind": kind,
        "nominee_name": name,
        "first": first,
        "surname": surname,
        "nominee_email": f"{local}{rng.randint(1, 9999)}@{rng.choice(DOMAINS)}"
        if rng.random() < 0.4
        else "",
        "nominee_phone": _phone(rng) if rng.random() < 0.2 else "",
        "postcode": _postcode(rng) if rng.random() < 0.35 else "",
    }


def _respell(surname: str, rng: random.Random) -> str:
    """The surname as someone else might write it: Clark for Clarke, Kelley for Kelly."""
    if surname.startswith("Mac"):
        return "Mc" + surname[3:]
    if surname.startswith("Mc"):
        return "Mac" + surname[2:]
    if surname.startswith("O'"):
        return "O" + surname[2:]
    if surname.endswith("e"):
        return surname[:-1]
    if surname.endswith("y"):
        return surname[:-1] + "ey"
    if rng.random() < 0.5:
        return surname + "e"
    index = rng.randrange(1, len(surname))  # a doubled letter
    return surname[:index] + surname[index] + surname[index:]


def near_duplicate(original: dict, rng: random.Random) -> dict:
    """The same person as `original`, described by someone else."""
    copy = dict(original)
    first, surname = original["first"], original["surname"]
    if original["nominee_kind"] in ("business", "group"):
        copy["nominee_name"] = (
            original["nominee_name"].replace(" Road ", " Rd ").replace(" Street ", " St ")
        )
        if copy["nominee_name"] == original["nominee_name"]:
            copy["nominee_name"] = "The " + original["nominee_name"]
    else:
        variant = rng.randrange(5)
        if variant == 0 and first in NICKNAME_OF:
            copy["nominee_name"] = f"{NICKNAME_OF[first]} {surname}"
        elif variant == 1:
            copy["nominee_name"] = f"{rng.choice(['Mrs', 'Mr', 'Dr', 'Ms'])} {first} {surname}"
        elif variant == 2:
            copy["nominee_name"] = f"{first[0]} {surname}"
        else:
            copy["nominee_name"] = f"{first} {_respell(surname, rng)}"
    # Someone else knows some of their details, or none.
    for key in ("nominee_email", "nominee_phone", "postcode"):
        if rng.random() < 0.5:
            copy[key] = ""
    return copy


# --- Part 1: submissions through the public form ------------------------------------------


class Visitor:
    """One person's browser: their cookies and CSRF token."""

    def __init__(self, number: int, answers: dict):
        self.number = number
        self.answers = answers
        self.cookies: dict[str, str] = {}
        self.token = ""

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        return headers

    def remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value

    def journey_fields(self) -> list[tuple[str, str]]:
        """Every answer of the journey as the question pages' fields."""
        person = self.answers
        kind = person["nominee_kind"]
        methods = ["email"] if person["nominee_email"] else []
        if person["postcode"] or not methods:
            methods.append("post")
        if kind == "business" and self.number % 3 == 0:
            methods.append("employer")
        fields = [
            ("n", str(self.number)),
            ("nominee_kind", kind),
            ("nominee_name", person["nominee_name"]),
            *[("contact_methods", method) for method in methods],
            ("nominee_email", person["nominee_email"]),
            ("address_line_1", f"{self.number % 200 + 1} {person['surname']} Road"),
            ("town", "South Shields"),
            ("postcode", person["postcode"] or "NE33 2RL"),
            ("employer", "Westoe Road Bakery"),
            ("reason", REASONS[self.number % len(REASONS)]),
            ("nominator_name", f"{person['first']} Resident"),
            ("nominator_email", f"nominator{self.number}@example.net"),
            ("nominator_relationship", "Neighbour"),
            *[("declarations", value) for value in ("true", "contact", "privacy")],
        ]
        if kind == "young_person":
            fields += [("guardian_name", f"Pat {person['surname']}")]
        return fields


def _request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    visitor: Visitor,
    fields: list[tuple[str, str]] | None = None,
) -> tuple[int, str, bytes]:
    body = urlencode(fields) if fields is not None else None
    connection.request(method, path, body=body, headers=visitor.headers())
    response = connection.getresponse()
    content = response.read()
    visitor.remember(response)
    return response.status, response.getheader("Location", ""), content


TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _prepare(port: int, visitors: list[Visitor]) -> None:
    """Each visitor fetches a CSRF token from a question page, then has every answer kept."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for visitor in visitors:
            if STOPPING.is_set():
                return
            status, _location, page = _request(connection, "GET", "/nominate/who/", visitor)
            found = TOKEN.search(page)
            if status != 200 or found is None:
                raise RuntimeError(f"/nominate/who/ answered {status} without a CSRF token")
            visitor.token = found.group(1).decode()
            status, _location, body = _request(
                connection,
                "POST",
                "/bench/journey/",
                visitor,
                [("csrfmiddlewaretoken", visitor.token), *visitor.journey_fields()],
            )
            if status != 204:
                raise RuntimeError(f"/bench/journey/ answered {status}: {body[:500]!r}")
    finally:
        connection.close()


def _send_all(port: int, path: str, visitors: list[Visitor], accepted) -> Counter:
    """One POST of `path` per visitor on one kept-alive connection; counts the outcomes.

    A POST is never sent again: if the connection fails, the request counts as failed.
    """
    outcomes = Counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for visitor in visitors:
            if STOPPING.is_set():
                break
            try:
                status, location, _body = _request(
                    connection, "POST", path, visitor, [("csrfmiddlewaretoken", visitor.token)]
                )
                outcomes["accepted" if accepted(status, location) else f"status {status}"] += 1
            except (http.client.HTTPException, OSError) as error:
                outcomes[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=60)
    finally:
        connection.close()
    return outcomes


def _shares(items: list, count: int) -> list[list]:
    return [items[index::count] for index in range(count)]


def timed_round(pool, concurrency, port, path, visitors, accepted) -> tuple[float, Counter]:
    """Sends one POST per visitor from `concurrency` threads; returns requests per second."""
    started = time.perf_counter()
    outcomes = sum(
        pool.map(
            lambda share: _send_all(port, path, share, accepted), _shares(visitors, concurrency)
        ),
        Counter(),
    )
    return len(visitors) / (time.perf_counter() - started), outcomes


def _submitted(status: int, location: str) -> bool:
    return status == 302 and location == SENT


def _inserted(status: int, location: str) -> bool:
    return status == 204


def _counts(port: int) -> dict:
    status, body = support.get(port, "/bench/counts/")
    if status != 200:
        raise RuntimeError(f"/bench/counts/ answered {status}")
    return json.loads(body)


def _queued_messages(workdir: Path) -> int | None:
    """Task messages waiting in the file broker's queue folder (None with Redis)."""
    if os.environ.get("REDIS_URL"):
        return None
    folder = workdir / "var" / "celery" / "queue"
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0


def _file_all(port: int) -> dict:
    """File every waiting receipt through /bench/file/ (the worker's own service), timed there."""
    filed, seconds = 0, 0.0
    while True:
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            connection.request("POST", "/bench/file/")
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"/bench/file/ answered {response.status}: {body[:500]!r}")
        run = json.loads(body)
        filed += run["filed"]
        seconds += run["seconds"]
        if not run["filed"]:
            return {"filed": filed, "seconds": round(seconds, 2)}


def bench_submission(args) -> dict:
    rng = random.Random(args.seed + 1)
    total = args.warmup + args.rounds * args.submits
    # Each real and each floor POST uses up one visitor's filled journey.
    visitors = [Visitor(number, person(rng)) for number in range(2 * total)]
    visitors, floor_visitors = visitors[:total], visitors[total:]
    anonymous = Visitor(-1, {})  # the control sends no cookies
    with (
        support.demo_server(
            workers=args.workers, threads=args.threads, ready_path="/bench/counts/"
        ) as server,
        ThreadPoolExecutor(max_workers=args.concurrency) as pool,
    ):
        try:
            port = server.port
            started = time.perf_counter()
            shares = _shares(visitors + floor_visitors, args.concurrency)
            list(pool.map(lambda share: _prepare(port, share), shares))
            prepare_seconds = time.perf_counter() - started
            before, queued_before = _counts(port), _queued_messages(server.workdir)

            outcomes = {SUBMIT: Counter(), CONTROL: Counter(), FLOOR: Counter()}
            rates = {SUBMIT: [], CONTROL: [], FLOOR: []}

            def rounds(people):
                return [people[: args.warmup]] + [
                    people[args.warmup + round_ * args.submits :][: args.submits]
                    for round_ in range(args.rounds)
                ]

            for number, (batch, floor_batch) in enumerate(
                zip(rounds(visitors), rounds(floor_visitors), strict=True)
            ):
                for path, sent, accepted in (
                    (CONTROL, [anonymous] * len(batch), _inserted),
                    (FLOOR, floor_batch, _submitted),
                    (SUBMIT, batch, _submitted),
                ):
                    rate, outcome = timed_round(pool, args.concurrency, port, path, sent, accepted)
                    outcomes[path] += outcome
                    if number:  # the first batch warms up
                        rates[path].append(rate)

            received = _counts(port)
            filing = _file_all(port)
            after, queued_after = _counts(port), _queued_messages(server.workdir)
            memory = server.peak_rss_mb()
            database = server.database
        except BaseException:  # SIGTERM and Ctrl-C included
            STOPPING.set()
            raise

    submitted = outcomes[SUBMIT]["accepted"]
    inserted = outcomes[CONTROL]["accepted"]
    receipts = received["receipts"] - before["receipts"]
    nominations = after["nominations"] - before["nominations"]
    emails = after["emails"] - before["emails"]
    submit_rate = support.harmonic_mean(rates[SUBMIT])
    control_rate = support.harmonic_mean(rates[CONTROL])
    floor_rate = support.harmonic_mean(rates[FLOOR])
    ratio = submit_rate / control_rate
    return {
        "inputs": {
            "submits_per_round": args.submits,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "threads": args.threads,
            "database": database,
            "real": f"POST {SUBMIT}",
            "control": f"POST {CONTROL} (one AuditLogEntry insert)",
            "rate_limits": "off (RATELIMIT_ENABLE = False)",
        },
        "submits_per_s": round(submit_rate, 1),
        "control_inserts_per_s": round(control_rate, 1),
        "submits_per_s_rounds": [round(rate, 1) for rate in rates[SUBMIT]],
        "control_inserts_per_s_rounds": [round(rate, 1) for rate in rates[CONTROL]],
        "ratio": round(ratio, 3),
        "goal": f"submits >= {SUBMISSION_GOAL}x control inserts",
        "floor": {
            "what": f"POST {FLOOR}: the final step's session work around one insert",
            "per_s": round(floor_rate, 1),
            "per_s_rounds": [round(rate, 1) for rate in rates[FLOOR]],
            "floor_ratio": round(floor_rate / control_rate, 3),
            "failed": {key: value for key, value in outcomes[FLOOR].items() if key != "accepted"},
            "lost": outcomes[FLOOR]["accepted"]
            - (after["floor_inserts"] - before["floor_inserts"]),
        },
        "met": ratio >= SUBMISSION_GOAL,
        "submitted": submitted,
        "failed": {key: value for key, value in outcomes[SUBMIT].items() if key != "accepted"},
        "receipts_added": receipts,
        "filing": {
            "what": "nominations_file_received, as the worker runs it, after the timed rounds",
            **filing,
            "per_s": round(filing["filed"] / filing["seconds"], 1) if filing["seconds"] else None,
        },
        "nominations_added": nominations,
        "emails_added": emails,
        "tasks_queued": None if queued_before is None else queued_after - queued_before,
        # Accepted submissions missing their receipt, or, once filed, their Nomination
        # or their confirmation email.
        "lost": max(submitted - receipts, submitted - nominations, submitted - emails, 0),
        "unexpected_rows": max(
            receipts - submitted, nominations - submitted, emails - submitted, 0
        ),
        "control_failed": {
            key: value for key, value in outcomes[CONTROL].items() if key != "accepted"
        },
        "control_lost": inserted - (after["inserts"] - before["inserts"]),
        "prepare_seconds": round(prepare_seconds, 1),
        "peak_rss_mb": memory,
    }


# --- Part 2: matching a new nominee against many ------------------------------------------


def _percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _summary(milliseconds: list[float]) -> dict:
    return {
        "median": round(statistics.median(milliseconds), 2),
        "p95": round(_percentile(milliseconds, 95), 2),
        "max": round(max(milliseconds), 2),
    }


def _query_plan(sql: str) -> list[str]:
    """How the database runs a query, in its own words."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN {sql}")
        return [row[0].strip()[:160] for row in cursor.fetchall()]


def bench_matching(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="proud-bench-matching-"))
    try:
        with support.django_in_process(workdir) as database:
            figures = _match(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {"inputs": {**figures.pop("inputs"), "database": database}, **figures}


def _match(args) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from council.models import Area
    from nominations import matching
    from nominations.models import Nominee
    from nominations.services import _nominee_fields  # the service's own normalisation

    rng = random.Random(args.seed)
    wards = list(Area.objects.filter(active=True))

    def nominee(answers: dict, area: Area | None) -> Nominee:
        return Nominee(**_nominee_fields({**answers, "area": area}))

    def some_ward() -> Area | None:
        return rng.choice(wards) if rng.random() < 0.9 else None

    duplicates = args.new // 2
    originals = set(rng.sample(range(args.nominees), duplicates))
    kept: list[tuple[dict, Nominee]] = []
    started = time.perf_counter()
    batch: list[Nominee] = []
    with transaction.atomic():
        for number in range(args.nominees):
            answers = person(rng)
            batch.append(nominee(answers, some_ward()))
            if number in originals:
                kept.append((answers, batch[-1]))
            if len(batch) == 2000 or number == args.nominees - 1:
                Nominee.objects.bulk_create(batch)
                batch = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would, soon after a load this size
    load_seconds = time.perf_counter() - started

    # The new nominees, saved before matching as nomination_submit saves them.
    pairs: list[tuple[Nominee, int | None]] = []
    for answers, original in kept:
        # Usually the same ward; sometimes the nominator did not know it.
        area = original.area if rng.random() < 0.8 else None
        pairs.append((nominee(near_duplicate(answers, rng), area), original.pk))
    while len(pairs) < args.new:
        pairs.append((nominee(person(rng), some_ward()), None))
    rng.shuffle(pairs)
    Nominee.objects.bulk_create([row for row, _original in pairs])

    def control_email(row: Nominee) -> str:
        return row.email or f"nobody{row.pk}@example.net"

    for row, _original in pairs[:10]:  # warm up both
        matching.find_matches(row)
        Nominee.objects.filter(email=control_email(row)).first()
    with CaptureQueriesContext(connection) as queries:  # not timed: it slows every query
        for row, _original in pairs[:10]:
            matching.find_matches(row)
    queries_per_call = len(queries.captured_queries) / 10
    with CaptureQueriesContext(connection) as queries:
        matching.find_matches(pairs[0][0])
    plans = Counter(tuple(_query_plan(query["sql"])) for query in queries.captured_queries)

    real_ms, control_ms, found = [], [], 0
    for row, original in pairs:  # alternately, so drift on the machine touches both
        email = control_email(row)
        started = time.perf_counter()
        Nominee.objects.filter(email=email).first()
        control_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        matches = matching.find_matches(row)
        real_ms.append((time.perf_counter() - started) * 1000)
        if original is not None:
            found += any(match.candidate_id == original for match in matches)

    real, control = _summary(real_ms), _summary(control_ms)
    return {
        "inputs": {
            "nominees": Nominee.objects.count() - len(pairs),
            "new": len(pairs),
            "near_duplicates": duplicates,
            "first_names": len(set(FIRST_NAMES)),
            "surnames": len(set(SURNAMES)),
            "real": "matching.find_matches(nominee)",
            "control": "Nominee.objects.filter(email=...).first()",
        },
        "find_matches_ms": real,
        "control_ms": control,
        "ratio_of_medians": round(real["median"] / control["median"], 1),
        "goal": f"find_matches median < {MATCHING_GOAL_MS} ms",
        "met": real["median"] < MATCHING_GOAL_MS,
        "near_duplicates_found": found,
        "queries_per_find_matches": queries_per_call,
        "query_plans_of_one_find_matches": [
            {"queries": count, "plan": list(plan)} for plan, count in plans.items()
        ],
        "load_seconds": round(load_seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    args = parse_args()
    support.stop_cleanly_on_sigterm()
    submission = bench_submission(args)
    matching = bench_matching(args)
    print(json.dumps({"benchmark": "nominations", "submission": submission, "matching": matching}))
    if any(
        submission[key]
        for key in ("lost", "unexpected_rows", "failed", "control_lost", "control_failed")
    ) or any(submission["floor"][key] for key in ("lost", "failed")):
        sys.exit(1)


if __name__ == "__main__":
    main()
