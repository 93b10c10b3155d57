"""Channel credentials, encrypted at rest and never shown back.

The key is SOCIAL_CREDENTIALS_KEY when it is set (so the secret key can be
rotated without losing the channels), otherwise it is derived from
DJANGO_SECRET_KEY. Either way a copy of the database alone does not give away
the council's access tokens. If the key changes, stored credentials can no
longer be read: the channel then says it needs reconnecting.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored credentials were encrypted with another key."""


def _fernet() -> Fernet:
    material = getattr(settings, "SOCIAL_CREDENTIALS_KEY", "") or settings.SECRET_KEY
    # A fixed label keeps this key apart from anything else derived from the same secret.
    digest = hashlib.sha256(b"proud-to-support/social-credentials/v1:" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(values: dict) -> str:
    """Encrypt a dict of credentials for storing."""
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values).encode()).decode()


def unseal(token: str) -> dict:
    """The credentials a sealed value holds; {} when nothing is stored."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise SecretUnreadable(
            "The stored credentials cannot be read: the encryption key has changed. "
            "Enter them again."
        ) from None
