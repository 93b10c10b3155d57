"""Property-based fuzzing of every public form field: whatever is typed, no server error."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nominations.journey import STEPS

pytestmark = pytest.mark.django_db

FIELDS = {
    "who": ["nominee_kind"],
    "category": ["category"],
    "name": ["nominee_name"],
    "guardian": ["guardian_name", "guardian_email"],
    "contact": ["contact_methods"],
    "email": ["nominee_email"],
    "address": ["address_line_1", "address_line_2", "town", "postcode"],
    "employer": ["employer"],
    "ward": ["area"],
    "why": ["reason"],
    "photo": ["photo_alt", "photo_permission"],
    "about-you": [
        "nominator_name",
        "nominator_email",
        "nominator_relationship",
        "nominator_organisation",
    ],
    "declaration": ["declarations"],
}

text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a" * 5000,
            "person",
            "young_person",
            "email",
            "post",
            "unknown",
            "-1",
            "999999999999",
            "<script>alert(1)</script>",
            "Robert'); DROP TABLE nominations;--",
            "x\r\nBcc: a@example.net",
        ]
    ),
)
values = st.one_of(text, st.lists(text, max_size=4))


def test_every_step_has_its_fields_listed():
    assert {step.slug for step in STEPS} == set(FIELDS)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(slug=st.sampled_from(sorted(FIELDS)), data=st.data())
def test_no_answer_to_any_question_causes_a_server_error(client, campaign, ward, slug, data):
    form = {field: data.draw(values, label=field) for field in FIELDS[slug]}
    response = client.post(f"/nominate/{slug}/", form)
    assert response.status_code in (200, 302), response.status_code


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(email=text, code=text)
def test_the_resend_and_code_forms_never_fail(client, campaign, email, code):
    assert client.post("/nominate/resend/", {"email": email}).status_code in (200, 429)
    assert client.post("/consent/", {"code": code}).status_code in (200, 302, 429)
    assert client.get(f"/consent/{quote(code[:200], safe='') or 'x'}/").status_code < 500
