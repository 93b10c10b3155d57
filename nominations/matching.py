"""Finding nominees who may be the same person, with the reasons, for staff to decide.

Candidates are found through indexed columns only (the same email, phone or
postcode, or a name part that sounds the same), so matching one new nominee
against 100,000 stays fast; each candidate is then scored with rapidfuzz.
"""

import re
import unicodedata
from dataclasses import dataclass, field

import jellyfish
from django.db.models import Exists, OuterRef, Q
from rapidfuzz import fuzz

TITLES = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "rev",
    "sir",
    "dame",
    "cllr",
    "councillor",
    "the",
}
NICKNAMES = {
    "bob": "robert",
    "rob": "robert",
    "bobby": "robert",
    "robbie": "robert",
    "bill": "william",
    "will": "william",
    "billy": "william",
    "liam": "william",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "dave": "david",
    "davy": "david",
    "mike": "michael",
    "mick": "michael",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betty": "elizabeth",
    "lizzie": "elizabeth",
    "kate": "katherine",
    "katie": "katherine",
    "kath": "katherine",
    "cathy": "catherine",
    "sue": "susan",
    "suzy": "susan",
    "tony": "anthony",
    "andy": "andrew",
    "drew": "andrew",
    "chris": "christopher",
    "steve": "stephen",
    "pete": "peter",
    "tom": "thomas",
    "tommy": "thomas",
    "joe": "joseph",
    "jo": "joanne",
    "dan": "daniel",
    "danny": "daniel",
    "sam": "samuel",
    "ben": "benjamin",
    "matt": "matthew",
    "nick": "nicholas",
    "pat": "patricia",
    "maggie": "margaret",
    "peggy": "margaret",
    "meg": "margaret",
    "jenny": "jennifer",
    "jen": "jennifer",
    "alex": "alexander",
    "ed": "edward",
    "ted": "edward",
    "eddie": "edward",
    "jack": "john",
    "johnny": "john",
    "jon": "john",
    "harry": "henry",
    "rick": "richard",
    "dick": "richard",
    "rich": "richard",
}


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9\s-]", " ", text).replace("-", " ")
    words = [word for word in text.split() if word not in TITLES]
    return " ".join(NICKNAMES.get(word, word) for word in words)


def name_key(name: str) -> str:
    """A phonetic key per name part: 'Macdonald' and 'McDonald' share one."""
    words = normalise_name(name).split()
    return " ".join(
        sorted(
            {
                jellyfish.metaphone(word.replace("mc", "mac", 1) if word.startswith("mc") else word)
                for word in words
                if len(word) > 1
            }
        )
    )


def surname_key(name: str) -> str:
    words = normalise_name(name).split()
    if not words:
        return ""
    last = words[-1]
    return jellyfish.metaphone("mac" + last[2:] if last.startswith("mc") else last)[:40]


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits


def normalise_postcode(postcode: str) -> str:
    text = re.sub(r"\s", "", postcode.upper())
    return f"{text[:-3]} {text[-3:]}" if len(text) > 3 else text


@dataclass
class Match:
    candidate_id: int
    score: float
    reasons: list[str] = field(default_factory=list)


THRESHOLD = 0.6


def first_names_agree(first: str, second: str) -> bool:
    """Jon and Jonathan, M and Maureen: first names that may belong to one person."""
    a, b = (first.split() or [""])[0], (second.split() or [""])[0]
    if not a or not b:
        return False
    if a == b or (min(len(a), len(b)) == 1 and a[0] == b[0]):
        return True
    return min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a))


def score_pair(new, other) -> Match:
    """How likely two nominees are one: a score from 0 to 1 with the reasons."""
    reasons = []
    name_similarity = fuzz.token_sort_ratio(new.normalised_name, other.normalised_name) / 100
    score = 0.6 * name_similarity
    if name_similarity >= 0.99:
        reasons.append("The same name")
    elif (
        new.surname_key
        and new.surname_key == other.surname_key
        and first_names_agree(new.normalised_name, other.normalised_name)
    ):
        score = max(score, 0.54)
        reasons.append(f"Names that sound alike ({other.name})")
    elif name_similarity >= 0.8:
        reasons.append(f"Similar names ({round(name_similarity * 100)}% alike)")
    if new.email and new.email == other.email:
        score += 0.35
        reasons.append("The same email address")
    if new.phone and new.phone == other.phone:
        score += 0.3
        reasons.append("The same phone number")
    if new.postcode and new.postcode == other.postcode:
        score += 0.15
        reasons.append("The same postcode")
    if new.area_id and new.area_id == other.area_id:
        score += 0.1
        reasons.append("The same ward")
    elif new.area_id and other.area_id:
        score -= 0.15
    if new.kind != other.kind:
        score -= 0.2
    return Match(candidate_id=other.pk, score=max(0.0, min(1.0, round(score, 3))), reasons=reasons)


CANDIDATES = 300


def find_matches(nominee, *, limit: int = 5) -> list[Match]:
    """Existing nominees that may be the same as this one, best first."""
    from nominations.models import Nomination, Nominee

    ways_in = [Q(normalised_name=nominee.normalised_name)]
    if nominee.surname_key:
        ways_in.append(Q(surname_key=nominee.surname_key))
    if nominee.email:
        ways_in.append(Q(email=nominee.email))  # stored in lower case
    if nominee.phone:
        ways_in.append(Q(phone=nominee.phone))
    if nominee.postcode:
        ways_in.append(Q(postcode=nominee.postcode))
    # One query per way in, each answered from its own index. ORed together in one
    # query, SQLite walks the merged_into index instead: every unmerged row, ~40 ms at
    # 100,000 nominees (bench/bench_nominations.py). Each way in keeps its newest
    # CANDIDATES, and the union is scored whole: cutting it again would drop an
    # older exact match (same email, same name) behind hundreds of namesakes.
    unmerged = Nominee.objects.filter(merged_into__isnull=True).exclude(pk=nominee.pk)
    found: set[int] = set()
    for way_in in ways_in:
        found.update(
            unmerged.filter(way_in).order_by("-pk").values_list("pk", flat=True)[:CANDIDATES]
        )
    # A nominee whose every nomination still waits for its nominator to confirm
    # by email is nobody staff should be asked about: it may be junk, and it is
    # purged if never confirmed. Its pairs are found when it is confirmed.
    nominations = Nomination.objects.filter(nominee=OuterRef("pk"))
    candidates = (
        Nominee.objects.filter(pk__in=found)
        .filter(
            Exists(nominations.exclude(status=Nomination.Status.UNCONFIRMED)) | ~Exists(nominations)
        )
        .only(
            "pk",
            "name",
            "kind",
            "normalised_name",
            "name_key",
            "surname_key",  # score_pair reads it: left out, it cost a query per candidate
            "email",
            "phone",
            "postcode",
            "area_id",
        )
        .order_by("-pk")
    )
    matches = [score_pair(nominee, other) for other in candidates]
    return sorted(
        (match for match in matches if match.score >= THRESHOLD), key=lambda match: -match.score
    )[:limit]
