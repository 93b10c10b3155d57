"""What a delivery event means for a letter that went by email."""

from council.services import audit_log
from recognition.models import Letter


def on_delivery_event(*, event, email) -> None:
    letter_id = (event.metadata or {}).get("letter_id") or (
        email.metadata.get("letter_id") if email else None
    )
    if not letter_id or not str(letter_id).isdigit():
        return
    letter = Letter.objects.select_for_update().filter(pk=int(letter_id)).first()
    if letter is None or letter.stage not in (Letter.Stage.EMAILED, Letter.Stage.DELIVERED):
        return
    if event.event_type == "delivered":
        letter.stage = Letter.Stage.DELIVERED
        letter.save(update_fields=["stage"])
    elif event.event_type in ("bounced", "rejected") and letter.stage == Letter.Stage.EMAILED:
        from nominations.selectors import letter_facts
        from recognition.letters import postal_lines

        if postal_lines(letter_facts(letter.nominee_id)) and not letter.address_problem:
            # The email did not arrive: the letter goes in the next print batch instead.
            letter.route, letter.stage = Letter.Route.POST, Letter.Stage.FOR_PRINT
        else:
            letter.stage = Letter.Stage.BOUNCED  # no address to post to: staff need to find one
        letter.save(update_fields=["route", "stage"])
        audit_log(
            actor=None,
            action="recognition.letter.bounced",
            obj=letter,
            data={"now": letter.stage, "reason": event.description[:200]},
        )
