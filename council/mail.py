"""Email written to disk when no provider is configured, one .eml file a message.

A person running the platform locally can open every message the platform
sent, in any mail program, from var/mail/. Each is also shown on the console.
"""

import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages):
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            path = self.folder / name
            path.write_bytes(message.message().as_bytes())
            sys.stdout.write(
                f"Email to {', '.join(message.to)}: {message.subject!r} saved as {path}\n"
            )
        return len(email_messages)
