"""Reading sent messages as the person receiving them would."""

import email
import email.policy


def attachments_received(message) -> list[tuple[str, bytes, str]]:
    """A sent message's attachments, read back from the message as it went out:
    (filename, content, content type) each."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return [
        (part.get_filename(), part.get_payload(decode=True), part.get_content_type())
        for part in parsed.iter_attachments()
    ]
