"""Duplicate matching on a labelled set of pairs: precision and recall, and the reasons given."""

import pytest

from council.models import Area
from nominations import matching
from nominations.models import Nominee

pytestmark = pytest.mark.django_db

# (first, second, same person?) — each side: name, kind, ward code, email, phone, postcode
PAIRS = [
    # The same person, written differently.
    (
        ("Maureen Clarke", "person", "W1", "maureen@example.net", "", ""),
        ("Mrs Maureen Clark", "person", "W1", "", "", ""),
        True,
    ),
    (
        ("Robert Smith", "person", "W2", "", "", "NE33 1AA"),
        ("Bob Smith", "person", "W2", "", "", "ne331aa"),
        True,
    ),
    (
        ("William O'Brien", "person", "W3", "", "07700 900123", ""),
        ("Bill OBrien", "person", "W3", "", "+44 7700 900123", ""),
        True,
    ),
    (
        ("Ian Macdonald", "person", "W1", "", "", ""),
        ("Ian McDonald", "person", "W1", "", "", ""),
        True,
    ),
    (
        ("Zoë Brontë", "person", "W2", "zoe@example.net", "", ""),
        ("Zoe Bronte", "person", "W2", "", "", ""),
        True,
    ),
    (
        ("Dr Amir Haddad", "person", "W4", "amir@example.net", "", ""),
        ("Amir Hadad", "person", "W4", "amir@example.net", "", ""),
        True,
    ),
    (
        ("Katherine Jones", "person", "W5", "", "", "NE34 6AB"),
        ("Kate Jones", "person", "W5", "", "", "NE34 6AB"),
        True,
    ),
    (
        ("Westoe Road Bakery", "business", "W4", "hello@bakery.example.net", "", ""),
        ("Westoe Rd Bakery", "business", "W4", "hello@bakery.example.net", "", ""),
        True,
    ),
    (
        ("Cleadon Park Litter Pickers", "group", "W6", "", "", ""),
        ("Cleadon Park Litter-Pickers", "group", "W6", "", "", ""),
        True,
    ),
    (
        ("Priya Shah", "young_person", "W3", "", "", "NE32 5QR"),
        ("Priya Shah", "young_person", "W3", "", "", ""),
        True,
    ),
    (
        ("Thomas Fletcher", "person", "W1", "tom@example.net", "", ""),
        ("Tom Fletcher", "person", "W2", "tom@example.net", "", ""),
        True,
    ),
    (
        ("Siobhan Kelly", "person", "W5", "", "0191 000 1111", ""),
        ("Siobhan Kelley", "person", "W5", "", "01910001111", ""),
        True,
    ),
    (
        ("Jonathan Pearson", "person", "W2", "", "", ""),
        ("Jon Pearson", "person", "W2", "", "", ""),
        True,
    ),
    (
        ("Elizabeth Turner", "person", "W6", "liz@example.net", "", ""),
        ("Liz Turner", "person", "", "liz@example.net", "", ""),
        True,
    ),
    # Different people.
    (("John Smith", "person", "W1", "", "", ""), ("John Smith", "person", "W4", "", "", ""), False),
    (
        ("Sarah Brown", "person", "W2", "sarah.b@example.net", "", ""),
        ("Sarah Brown", "person", "W5", "s.brown@example.net", "", ""),
        False,
    ),
    (("David Lee", "person", "W3", "", "", ""), ("Daniel Lee", "person", "W6", "", "", ""), False),
    (
        ("Mary Wilson", "person", "W1", "", "", ""),
        ("Mark Wilson", "person", "W4", "", "", ""),
        False,
    ),
    (
        ("Peter Walker", "person", "W2", "", "", ""),
        ("Paula Walker", "person", "W2", "", "", "NE34 0ZZ"),
        False,
    ),
    (
        ("Smith's Pharmacy", "business", "W1", "", "", ""),
        ("Anne Smith", "person", "W1", "", "", ""),
        False,
    ),
    (
        ("Hebburn Lions", "group", "W5", "", "", ""),
        ("Hebburn Lions Junior Football", "group", "W6", "", "", ""),
        False,
    ),
    (
        ("Aisha Khan", "person", "W3", "", "", ""),
        ("Aisha Khan", "young_person", "W6", "", "", ""),
        False,
    ),
    (
        ("James Taylor", "person", "W4", "", "", ""),
        ("James Tailor", "person", "W1", "", "", ""),
        False,
    ),
    (
        ("Chris Evans", "person", "W5", "", "", "NE33 2RL"),
        ("Chris Evans", "person", "W2", "", "", "NE34 9XX"),
        False,
    ),
]


def make(spec, areas):
    name, kind, ward, email, phone, postcode = spec
    return Nominee.objects.create(
        kind=kind,
        name=name,
        normalised_name=matching.normalise_name(name),
        name_key=matching.name_key(name),
        surname_key=matching.surname_key(name),
        email=email.lower(),
        phone=matching.normalise_phone(phone),
        postcode=matching.normalise_postcode(postcode) if postcode else "",
        area=areas.get(ward),
    )


def test_precision_and_recall_on_the_labelled_pairs(capsys):
    areas = {
        code: Area.objects.create(code=code, name=f"Ward {code}")
        for code in ("W1", "W2", "W3", "W4", "W5", "W6")
    }
    true_positive = false_positive = false_negative = 0
    mistakes = []
    for first, second, same in PAIRS:
        Nominee.objects.all().delete()
        existing = make(first, areas)
        new = make(second, areas)
        found = any(match.candidate_id == existing.pk for match in matching.find_matches(new))
        if found and same:
            true_positive += 1
        elif found and not same:
            false_positive += 1
            mistakes.append(f"wrongly matched {first[0]} / {second[0]}")
        elif same:
            false_negative += 1
            mistakes.append(f"missed {first[0]} / {second[0]}")
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    with capsys.disabled():
        print(
            f"\nduplicate matching on {len(PAIRS)} labelled pairs: precision {precision:.2f}, recall {recall:.2f}; {mistakes}"
        )
    assert precision >= 0.95, mistakes
    assert recall >= 0.85, mistakes


def test_the_reasons_say_why_two_nominees_may_be_one():
    area = Area.objects.create(code="W1", name="Westoe")
    existing = make(
        ("Maureen Clarke", "person", "W1", "maureen@example.net", "", "NE34 6AB"), {"W1": area}
    )
    new = make(
        ("Maureen Clark", "person", "W1", "maureen@example.net", "", "NE34 6AB"), {"W1": area}
    )
    (match,) = matching.find_matches(new)
    assert match.candidate_id == existing.pk
    assert match.reasons == [
        "Names that sound alike (Maureen Clarke)",
        "The same email address",
        "The same postcode",
        "The same ward",
    ]


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Mrs Maureen CLARKE", "maureen clarke"),
        ("Zoë Brontë", "zoe bronte"),
        ("Bob  Smith-Jones", "robert smith jones"),
        ("Dr. Amir Haddad", "amir haddad"),
    ],
)
def test_names_are_normalised(written, normalised):
    assert matching.normalise_name(written) == normalised
