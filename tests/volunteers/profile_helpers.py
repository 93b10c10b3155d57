"""Answers to the volunteer profile questions, as a person would send them, for the sign-up tests."""

import importlib
import re
from html.parser import HTMLParser

from django.apps import apps

from council.models import OutboundEmail
from tests.volunteers.factories import born_aged
from volunteers.models import Interest, Skill

_LISTS = importlib.import_module("volunteers.migrations.0003_skills_and_interests")


def standard_lists() -> None:
    """The skills and interests the data migration adds (a flushed test database has none)."""
    _LISTS.add(apps, None)


def date_fields(born) -> dict:
    return {
        "date_of_birth_day": str(born.day),
        "date_of_birth_month": str(born.month),
        "date_of_birth_year": str(born.year),
    }


def answers(*, age: int = 40, guardian: bool | None = None) -> list[tuple[str, dict]]:
    """Every question's answer in order; a guardian's details for 16 and 17 year olds."""
    teacher = Skill.objects.get(slug="teacher-or-teaching-assistant")
    driving = Skill.objects.get(slug="driving-i-have-a-car")
    older = Interest.objects.get(slug="older-people")
    steps = [("date-of-birth", date_fields(born_aged(age)))]
    if guardian if guardian is not None else age < 18:
        steps.append(
            ("guardian", {"guardian_name": "Pat Clarke", "guardian_email": "pat@example.net"})
        )
    steps += [
        ("name", {"full_name": "Jo Clarke", "phone": "07700 900 982"}),
        ("postcode", {"postcode": "ne33 2rl"}),
        ("travel", {"travel": "5"}),
        ("skills", {"careers": [str(teacher.pk)], "skills": [str(driving.pk)]}),
        ("interests", {"interests": [str(older.pk)]}),
        ("availability", {"mon": ["mon_morning"], "sat": ["sat_morning", "sat_evening"]}),
        ("heard", {"heard_from": "leaflet"}),
        ("anything-else", {"about": "I can start next month."}),
    ]
    return steps


def walk(client, *, age: int = 40, stop_before: str | None = None):
    """Answer the questions in order; returns the last response (a redirect)."""
    response = None
    for slug, data in answers(age=age):
        if slug == stop_before:
            break
        response = client.post(f"/volunteer/questions/{slug}/", data)
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
    return response


def sign_up(client, *, age: int = 40):
    """Answer everything and finish; returns the profile page's response."""
    response = walk(client, age=age)
    assert response["Location"] == "/volunteer/check/"
    response = client.post("/volunteer/check/")
    assert response["Location"] == "/volunteer/profile/"
    return client.get("/volunteer/profile/")


def emailed_path(to: str, pattern: str) -> str:
    body = OutboundEmail.objects.filter(to=[to]).latest("pk").body_text
    return re.search(pattern, body).group(0)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "path"}  # fmt: skip


class _Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        element_id = dict(attrs).get("id")
        if element_id:
            if element_id in self.ids:
                self.problems.append(f"id {element_id} used twice")
            self.ids.add(element_id)
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else 'nothing'}>")
            return
        self.open.pop()


def assert_well_formed(html: str) -> None:
    """Every element closed in order, and no id used twice (axe checks the rest in the browser)."""
    checker = _Balance()
    checker.feed(html)
    checker.close()
    assert not checker.problems, checker.problems[:5]
    assert checker.open == [], checker.open
