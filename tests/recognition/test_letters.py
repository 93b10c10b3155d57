"""One letter per nominee: made on approval, held until released, emailed once with its PDF."""

import email
import io
import re

import pdfplumber
import pytest
from celery import current_app
from django.core import mail
from django.core.management import call_command

from council.models import OutboundEmail
from council.roles import Role
from council.selectors import council_settings
from council.services import email_send
from nominations import services as nominations
from nominations.models import Nomination, Nominee
from recognition import services
from recognition.models import Letter
from tests.council.factories import StaffFactory
from tests.council.mailbox import attachments_received

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_every_approved_nominee_gets_one_letter_however_many_nominations(demo):
    # The roll of honour's generated demo names come with their letters already posted.
    letters = dict(
        Letter.objects.exclude(stage=Letter.Stage.POSTED).values_list("nominee__name", "route")
    )
    assert letters == {
        "Maureen Clarke": "email",
        "Dr Amir Haddad": "email",
        "Priya Shah": "email",
        "Margaret O'Neill": "post",
    }
    assert set(
        Letter.objects.filter(nominee__name__in=letters).values_list("stage", flat=True)
    ) == {Letter.Stage.AWAITING_RELEASE}
    # A second nomination of Maureen, approved, makes no second letter.
    maureen = Nominee.objects.get(name="Maureen Clarke")
    duplicate = Nomination.objects.get(nominee_name="Maureen Clark")
    nominations.nominee_merge(nominee=duplicate.nominee, into=maureen, actor=None)
    nominations.nomination_approve(nomination=duplicate, actor=None)
    assert services.letters_create_for_approved() == 0
    assert Letter.objects.filter(nominee=maureen).count() == 1


def test_an_under_18s_letter_goes_to_the_guardian_and_a_familys_by_post(demo):
    assert Letter.objects.get(nominee__name="Priya Shah").email_to == "anita.shah@example.net"
    nominee = Nominee.objects.get(name="Westoe Road Bakery")
    nominations.nominee_mark_died(
        nominee=nominee, has_died=True, actor=None
    )  # as if it were a person
    nominations.nomination_approve(nomination=nominee.nominations.first(), actor=None)
    services.letters_create_for_approved()
    letter = Letter.objects.get(nominee=nominee)
    assert letter.route == Letter.Route.POST and letter.address_problem == ""


def test_nothing_goes_out_before_release_then_each_email_carries_its_pdf_once(
    demo, django_capture_on_commit_callbacks, settings, monkeypatch, client
):
    def client_get(url):
        return client.get(url.split("127.0.0.1:8000", 1)[-1])

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    letter = Letter.objects.get(nominee__name="Maureen Clarke")
    assert services.letter_send(letter_id=letter.pk) is None  # held: the worker leaves it alone

    office = StaffFactory(roles=[Role.MAYORS_OFFICE])
    with django_capture_on_commit_callbacks() as on_commit:
        counts = services.letters_release(actor=office)
    assert counts == {"email": 3, "post": 1}
    messages = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args, **kw: messages.append((name, args))
    )
    for callback in on_commit:
        callback()
    # The three emailed letters go to the worker in one message, the letter by post in none.
    emailed = set(Letter.objects.filter(route=Letter.Route.EMAIL).values_list("pk", flat=True))
    assert [(name, set(ids)) for name, [ids] in messages] == [
        ("recognition.tasks.letters_send", emailed)
    ]

    services.letter_send(letter_id=letter.pk)
    services.letter_send(letter_id=letter.pk)  # a redelivered message changes nothing
    letter.refresh_from_db()
    assert letter.stage == Letter.Stage.EMAILED and letter.attempts == 1
    outbound = OutboundEmail.objects.get(metadata__letter_id=str(letter.pk))
    email_send(email_id=outbound.pk)
    (sent,) = [message for message in mail.outbox if message.to == ["maureen.clarke@example.net"]]
    ((filename, content, mimetype),) = attachments_received(sent)
    assert (filename, mimetype) == ("Letter from the Mayor.pdf", "application/pdf")
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        assert "Dear Maureen" in pdf.pages[0].extract_text()
    # Greeted by name; the email asks for replies, and they reach the council.
    assert sent.body.startswith("Hello Maureen Clarke,\n")
    contact = council_settings().contact_email
    assert sent.reply_to == [contact]
    assert f"reply to this email or contact {contact}" in sent.body
    # And where to find it again: her own page, opened with her consent link.
    own_page = re.search(r"from your own page:\n(\S+)", sent.body).group(1)
    assert client_get(own_page).status_code == 200


def test_without_a_provider_the_letter_is_an_eml_file_with_the_pdf(demo, settings, tmp_path):
    settings.EMAIL_BACKEND = "council.mail.EmlFileBackend"
    letter = Letter.objects.get(nominee__name="Dr Amir Haddad")
    services.letters_release(actor=None)
    services.letter_send(letter_id=letter.pk)
    letter.refresh_from_db()
    email_send(email_id=letter.outbound_email_id)
    (eml,) = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes())
    assert message["Subject"] == "A letter of thanks from the Mayor"
    parts = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert len(parts) == 1 and parts[0].get_payload(decode=True).startswith(b"%PDF")


def test_a_letter_that_cannot_be_made_fails_with_the_reason(demo):
    from recognition.models import LetterTemplate

    LetterTemplate.objects.filter(variant="person").delete()
    services.letters_release(actor=None)
    letter = Letter.objects.get(nominee__name="Maureen Clarke")
    services.letter_send(letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.stage == Letter.Stage.FAILED
    assert letter.last_error.startswith("There is no letter yet for a person")


def test_the_release_page_shows_a_sample_and_releases(client, demo):
    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    page = client.get("/staff/letters/release/").content.decode()
    assert "3 letters will be emailed and 1 will wait for the next print batch" in page
    assert "Release 4 letters" in page
    up_to = re.search(r'name="up_to" value="(\d+)"', page).group(1)
    response = client.post("/staff/letters/release/", {"up_to": up_to}, follow=True)
    assert (
        "Released 3 letters to be emailed and 1 for the next print batch."
        in response.content.decode()
    )
    assert not Letter.objects.filter(stage=Letter.Stage.AWAITING_RELEASE).exists()


def test_a_failed_letter_is_shown_with_the_reason_and_can_be_tried_again(client, demo):
    from recognition.models import LetterTemplate

    template = LetterTemplate.objects.get(variant="person")
    saved = (template.salutation, template.body)
    template.delete()
    services.letters_release(actor=None)
    letter = Letter.objects.get(nominee__name="Maureen Clarke")
    services.letter_send(letter_id=letter.pk)

    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    page = client.get("/staff/letters/release/").content.decode()
    assert "Letters that need you" in page and "There is no letter yet for a person" in page

    services.letter_template_save(
        variant="person", salutation=saved[0], body=saved[1], actor=office
    )
    client.post(f"/staff/letters/{letter.pk}/retry/")
    letter.refresh_from_db()
    assert letter.stage == Letter.Stage.EMAIL_QUEUED and letter.status == Letter.Status.QUEUED
    services.letter_send(letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.stage == Letter.Stage.EMAILED


def test_an_email_the_provider_cannot_take_is_retried_then_shown_with_its_message(
    client, demo, settings, monkeypatch
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from council import outgoing

    monkeypatch.setattr(outgoing, "_publish", lambda model, pk: True)  # the sweeper's publish
    settings.EMAIL_BACKEND = "tests.council.test_outbox.UnreachableBackend"
    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    services.letters_release(actor=office)
    letter = Letter.objects.get(nominee__name="Maureen Clarke")
    services.letter_send(letter_id=letter.pk)
    letter.refresh_from_db()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        email_send(email_id=letter.outbound_email_id)
        page = client.get("/staff/letters/release/").content.decode()
        assert "Emails being tried again" in page
        assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
        assert "(try 2 of 8)" in page
        for _ in range(7):
            clock.shift(timedelta(hours=1))  # past the longest wait
            outgoing.sweep()
            email_send(email_id=letter.outbound_email_id)
    page = client.get("/staff/letters/release/").content.decode()
    assert "Emails being tried again" not in page
    assert (
        "Not sent after 8 tries. The last answer was: "
        "SMTPServerDisconnected: Connection unexpectedly closed" in page
    )
    assert 'Try again<span class="govuk-visually-hidden"> for Maureen Clarke' in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(f"/staff/letters/{letter.pk}/retry/")
    email = OutboundEmail.objects.get(pk=letter.outbound_email_id)
    assert (email.status, email.attempts, email.next_attempt_at) == ("queued", 0, None)
    email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == "sent"
    assert [message.to for message in mail.outbox] == [["maureen.clarke@example.net"]]


def test_letters_released_together_are_made_in_turn_and_emailed_in_one_message(
    demo, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from council.services import emails_send

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.letters_release(actor=None)
    emailed = list(
        Letter.objects.filter(route=Letter.Route.EMAIL).order_by("pk").values_list("pk", flat=True)
    )
    messages = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args, **kw: messages.append((name, args[0]))
    )
    with django_capture_on_commit_callbacks(execute=True):
        made = services.letters_send(letter_ids=[*emailed, emailed[0]])  # one repeated: made once

    assert [letter.pk for letter in made] == emailed
    email_ids = list(
        Letter.objects.filter(pk__in=emailed)
        .order_by("pk")
        .values_list("outbound_email_id", flat=True)
    )
    assert None not in email_ids
    assert messages == [("council.tasks.emails_send", email_ids)]
    emails_send(email_ids=email_ids)
    assert len(mail.outbox) == len(emailed)
    assert all(
        [kind for _name, _content, kind in attachments_received(message)] == ["application/pdf"]
        for message in mail.outbox
    )
    assert set(Letter.objects.filter(pk__in=emailed).values_list("attempts", flat=True)) == {1}


def test_release_sends_only_the_letters_the_mayors_office_was_shown(client, demo):
    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    page = client.get("/staff/letters/release/").content.decode()
    assert "Release 4 letters" in page
    up_to = max(
        Letter.objects.filter(stage=Letter.Stage.AWAITING_RELEASE).values_list("pk", flat=True)
    )
    assert f'name="up_to" value="{up_to}"' in page
    # While the page is open, a colleague approves another nominee: a new letter waits.
    bakery = Nominee.objects.get(name="Westoe Road Bakery")
    nominations.nomination_approve(nomination=bakery.nominations.first(), actor=None)
    services.letters_create_for_approved()
    arrived = Letter.objects.get(nominee=bakery)

    response = client.post("/staff/letters/release/", {"up_to": up_to}, follow=True)
    page = response.content.decode()
    assert "Released 3 letters to be emailed and 1 for the next print batch." in page
    assert "1 more letter arrived while you were checking. Check it below" in page
    arrived.refresh_from_db()
    assert arrived.stage == Letter.Stage.AWAITING_RELEASE and arrived.released_at is None
    assert "Release 1 letter" in page


def test_a_release_without_the_page_behind_it_releases_nothing(client, demo):
    client.force_login(StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True))
    page = client.post("/staff/letters/release/", follow=True).content.decode()
    assert "Nothing was released." in page
    assert not Letter.objects.filter(
        released_at__isnull=False, stage=Letter.Stage.EMAIL_QUEUED
    ).exists()
    assert Letter.objects.filter(stage=Letter.Stage.AWAITING_RELEASE).count() == 4


def text_of_pdf(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [" ".join((page.extract_text() or "").split()) for page in document.pages]


def test_a_posted_letter_carries_the_consent_code_no_email_could(demo):
    from recognition.letters import letter_pdf

    nominee = Nominee.objects.get(name="Margaret O'Neill")  # no email: her letter goes by post
    assert not nominee.email
    nominations.consent_request(nominee=nominee)
    link = nominee.consent_links.get(superseded_at=None)
    pages = text_of_pdf(letter_pdf(nominee_id=nominee.pk))
    assert len(pages) == 2 and "Dear Margaret" in pages[0]
    assert "Please turn over: how to tell us what we may share." in pages[0]
    code = f"{link.short_code[:4]} {link.short_code[4:]}"
    assert "Your choices: may we share the news?" in pages[1]
    assert f"For Margaret O'Neill {code}" in pages[1].replace("’", "'")
    assert "go to http://127.0.0.1:8000/consent/ and type in the code below" in pages[1]

    # Once she has answered with it, the code is not printed again.
    nominations.consent_record(
        link=link, answers={"channels": ["roll_of_honour"], "name_display": "full"}
    )
    assert len(text_of_pdf(letter_pdf(nominee_id=nominee.pk))) == 1


def test_an_emailed_consent_link_puts_no_code_in_the_letter(demo):
    from recognition.letters import letter_pdf

    nominee = Nominee.objects.get(name="Maureen Clarke")
    nominations.consent_request(nominee=nominee)
    pages = text_of_pdf(letter_pdf(nominee_id=nominee.pk))
    assert len(pages) == 1 and "may we share" not in pages[0]


def test_the_dashboard_shows_the_mayors_office_letters_to_release(client, demo):
    client.force_login(StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True))
    page = client.get("/staff/").content.decode()
    assert re.search(
        r'href="/staff/letters/release/"[^>]*>\s*<span class="app-dashboard__count">4</span> '
        r"Letters to check and release",
        page,
    ), page[page.find("app-dashboard") - 200 :][:1500]
    services.letters_release(actor=None)
    page = client.get("/staff/").content.decode()
    assert re.search(
        r'<span class="app-dashboard__count">1</span> Letters waiting for a print', page
    )


def test_a_letter_that_cannot_be_printed_is_flagged_not_counted_as_waiting(client, demo):
    client.force_login(StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True))
    services.letters_release(actor=None)
    Letter.objects.filter(route=Letter.Route.POST, stage=Letter.Stage.FOR_PRINT).update(
        address_problem="There is no postcode"
    )
    unprintable = Letter.objects.filter(stage=Letter.Stage.FOR_PRINT).exclude(address_problem="")
    count = unprintable.count()
    assert count >= 1
    page = client.get("/staff/").content.decode()
    assert re.search(
        rf'<span class="app-dashboard__count">{count}</span> Letters that cannot be posted', page
    )
    assert re.search(
        r'<span class="app-dashboard__count">0</span> Letters waiting for a print', page
    )
    page = client.get("/staff/letters/release/").content.decode()
    assert "Letters that cannot be posted" in page
    assert f"{unprintable.first().nominee.name}: There is no postcode" in page.replace(
        "&#x27;", "'"
    )
