"""Mastodon, through Mastodon.py.

Every status is posted with an Idempotency-Key made from the post's own id: should
a request be repeated, Mastodon answers with the status it already made instead of
posting a second one. Rate limits raise at once ("throw"), never sleeping in a
worker; the reset time comes from the response's own headers.
"""

from urllib.parse import urlsplit

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from recognition.social.channels.base import (
    ChannelError,
    Checked,
    PostContent,
    Problem,
    Published,
    request_left,
    retry_time,
)
from recognition.social.secrets import unseal

# Connect quickly or not at all; allow a slow answer to a picture upload.
TIMEOUT = (5, 30)
# The client checks which API version to use against this; every instance still
# running has at least version 4, and asking would cost a request each time.
ASSUMED_VERSION = "4.0.0"


class MastodonClient:
    def __init__(self, channel):
        self.channel = channel
        self.last_response: requests.Response | None = None
        session = requests.Session()
        session.hooks["response"].append(self._remember)
        self.api = Mastodon(
            access_token=unseal(channel.secret).get("access_token", ""),
            api_base_url=channel.server_url,
            ratelimit_method="throw",
            request_timeout=TIMEOUT,
            mastodon_version=ASSUMED_VERSION,
            version_check_mode="created",
            session=session,
            user_agent="ProudToSupport (+social posts)",
        )

    def _remember(self, response, *args, **kwargs):
        self.last_response = response

    def _error(self, error: MastodonError, *, final: bool) -> ChannelError:
        """Sort Mastodon.py's error into one of ours."""
        headers = self.last_response.headers if self.last_response is not None else {}
        if isinstance(error, MastodonRatelimitError):
            return ChannelError(Problem.RATE_LIMITED, str(error), retry_at=retry_time(headers))
        if isinstance(error, MastodonNetworkError):
            if final and request_left(error.__context__):
                return ChannelError(Problem.UNCERTAIN, str(error))
            return ChannelError(Problem.UNREACHABLE, str(error))
        if isinstance(error, MastodonAPIError):
            status = error.args[1] if len(error.args) > 1 else None
            said = str(error.args[3] if len(error.args) > 3 else error)
            if isinstance(error, MastodonUnauthorizedError):
                expired = "expired" in said.lower()
                return ChannelError(Problem.EXPIRED_TOKEN if expired else Problem.BAD_TOKEN, said)
            if status == 403:
                return ChannelError(Problem.MISSING_PERMISSION, said)
            if status == 429:
                return ChannelError(Problem.RATE_LIMITED, said, retry_at=retry_time(headers))
            if isinstance(error, MastodonServerError):
                # With the Idempotency-Key a repeat cannot make a second status.
                return ChannelError(Problem.SERVER_ERROR, said, retry_at=retry_time(headers))
            if status == 422 and "processing" in said.lower():
                return ChannelError(Problem.SERVER_ERROR, said)
            if isinstance(error, MastodonNotFoundError):
                return ChannelError(Problem.CONTENT, f"{said} Is the server address right?".strip())
            return ChannelError(Problem.CONTENT, said)
        return ChannelError(Problem.CONTENT, str(error))

    def _call(self, function, *args, final: bool = False, **kwargs):
        try:
            return function(*args, **kwargs)
        except MastodonError as error:
            raise self._error(error, final=final) from error

    def check(self) -> Checked:
        account = self._call(self.api.account_verify_credentials)
        app = self._call(self.api.app_verify_credentials)
        scopes = app.get("scopes") if hasattr(app, "get") else None
        if scopes and not {"write", "write:statuses"} & set(scopes):
            raise ChannelError(
                Problem.MISSING_PERMISSION,
                f"The token may only {', '.join(scopes)}; it needs write:statuses and write:media.",
            )
        instance = self._call(self.api.instance_v2)
        configuration = instance.get("configuration") or {}
        statuses = configuration.get("statuses") or {}
        media = configuration.get("media_attachments") or {}
        domain = urlsplit(self.channel.server_url).hostname or ""
        return Checked(
            posts_as=f"@{account['acct']}@{domain}",
            max_characters=statuses.get("max_characters"),
            url_length=statuses.get("characters_reserved_per_url"),
            alt_text_limit=media.get("description_limit"),
        )

    def publish(self, content: PostContent) -> Published:
        media_ids = None
        if content.image:
            media = self._call(
                self.api.media_post,
                content.image,
                mime_type=content.image_type,
                description=content.image_alt,
                file_name="picture",
            )
            media_ids = [media["id"]]
        status = self._call(
            self.api.status_post,
            content.text,
            media_ids=media_ids,
            visibility="public",
            language="en",
            idempotency_key=content.key,
            final=True,
        )
        return Published(remote_id=str(status["id"]), remote_url=status.get("url") or "")

    def delete(self, remote_id: str) -> None:
        try:
            self._call(self.api.status_delete, remote_id)
        except ChannelError as error:
            if isinstance(error.__cause__, MastodonNotFoundError):
                return  # already gone
            raise
