"""Bluesky, through the atproto SDK, with an app password only.

Logging in is rate-limited by Bluesky (30 in 5 minutes, 300 a day per account), so
the session is kept (encrypted) and refreshed as the SDK refreshes it; the app
password is used again only when the session can no longer be refreshed.

Each post is created with a record key made from the post's own id, so the same
post can never be created twice: a repeat is refused by the server, and we then
find the post that is already there.
"""

import hashlib

import httpx
from atproto import Client, SessionEvent, models
from atproto_client.client.session import Session
from atproto_client.exceptions import (
    AtProtocolError,
    InvokeTimeoutError,
    LoginRequiredError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.request import Request

from recognition.social.channels.base import (
    ChannelError,
    Checked,
    PostContent,
    Problem,
    Published,
    retry_time,
)
from recognition.social.secrets import unseal

DEFAULT_SERVER = "https://bsky.social"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# Scopes an app password's session carries; the account's own password gives "com.atproto.access".
APP_PASSWORD_SCOPES = {"com.atproto.appPass", "com.atproto.appPassPrivileged"}
TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def record_key(content: PostContent) -> str:
    """A record key (a TID) that is the same every time for the same post.

    A TID is 53 bits of microseconds since 1970 and 10 bits of "clock id", written
    in base 32; ours takes the time the post was made and a clock id from its key.
    """
    micros = int(content.created_at.timestamp() * 1_000_000)
    clock = int(hashlib.sha256(content.key.encode()).hexdigest(), 16) % 1024
    value = (micros << 10) | clock
    characters = []
    for _ in range(13):
        characters.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(characters))


def _said(error: RequestErrorBase) -> tuple[str, str]:
    """(error name, words) from Bluesky's answer."""
    content = error.response.content if error.response is not None else None
    if isinstance(content, XrpcError):
        return content.error or "", content.message or content.error or ""
    return "", str(error)


class BlueskyClient:
    def __init__(self, channel, *, save_session=None):
        self.channel = channel
        self.save_session = save_session
        self.client = Client(
            base_url=channel.server_url or DEFAULT_SERVER, request=Request(timeout=TIMEOUT)
        )
        self.client.on_session_change(self._session_changed)
        self.from_stored_session = False

    def _session_changed(self, event, session) -> None:
        # Kept on every new or refreshed session; an imported one is what is stored already.
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH) and self.save_session:
            self.save_session(session.export())

    def _error(self, error: Exception, *, final: bool) -> ChannelError:
        if isinstance(error, RateLimitExceededError):
            retry_at = error.reset_at or retry_time(
                error.response.headers if error.response else {}
            )
            return ChannelError(Problem.RATE_LIMITED, _said(error)[1], retry_at=retry_at)
        if isinstance(error, InvokeTimeoutError | NetworkError) and error.response is None:
            cause = error.__cause__
            not_sent = isinstance(
                cause, httpx.ConnectTimeout | httpx.ConnectError | httpx.PoolTimeout
            )
            if final and not not_sent:
                return ChannelError(Problem.UNCERTAIN, str(cause or error))
            return ChannelError(Problem.UNREACHABLE, str(cause or error))
        if isinstance(error, LoginRequiredError):
            return ChannelError(Problem.BAD_TOKEN, str(error))
        if isinstance(error, RequestErrorBase) and error.response is not None:
            name, words = _said(error)
            status = error.response.status_code
            if name == "ExpiredToken":
                return ChannelError(Problem.EXPIRED_TOKEN, words)
            if isinstance(error, UnauthorizedError) or name in TOKEN_ERRORS:
                return ChannelError(Problem.BAD_TOKEN, words)
            if name == "AuthFactorTokenRequired":
                return ChannelError(
                    Problem.BAD_TOKEN, f"{words} Use an app password, which needs no code."
                )
            if status == 413:
                return ChannelError(Problem.CONTENT, words or "The picture is too large.")
            if status >= 500:
                return ChannelError(
                    Problem.SERVER_ERROR, words, retry_at=retry_time(error.response.headers)
                )
            return ChannelError(Problem.CONTENT, words)
        return ChannelError(Problem.CONTENT, str(error))

    def _raw(self, function, *args, final: bool = False, **kwargs):
        try:
            return function(*args, **kwargs)
        except AtProtocolError as error:
            raise self._error(error, final=final) from error

    def _password_login(self) -> None:
        password = unseal(self.channel.secret).get("app_password", "")
        if not password:
            raise ChannelError(Problem.BAD_TOKEN, "No app password is stored.")
        self.from_stored_session = False
        self._raw(self.client.login, self.channel.account, password, fetch_bsky_profile=False)
        scope = self._session().access_jwt_payload.scope
        if scope and scope not in APP_PASSWORD_SCOPES:
            raise ChannelError(
                Problem.MISSING_PERMISSION,
                "This is the account's own password. Make an app password in Bluesky "
                "(Settings, Privacy and security, App passwords) and use that instead.",
            )

    def _session(self) -> Session:
        return Session.decode(self.client.export_session_string())

    def connect(self) -> None:
        stored = unseal(self.channel.session).get("session") if self.channel.session else None
        if stored:
            try:
                self.client.login(session_string=stored, fetch_bsky_profile=False)
                self.from_stored_session = True
                return
            except (AtProtocolError, ValueError):
                pass  # a session we cannot use: log in again below
        self._password_login()

    def _call(self, function, *args, final: bool = False, **kwargs):
        """Call the API; if a stored session turns out to be dead, log in once and try again.

        Trying again is safe even for the final call: a refused session means the
        server did nothing.
        """
        try:
            return self._raw(function, *args, final=final, **kwargs)
        except ChannelError as error:
            if self.from_stored_session and error.is_auth:
                self._password_login()
                return self._raw(function, *args, final=final, **kwargs)
            raise

    def check(self) -> Checked:
        self.connect()
        session = self._session()
        # A cheap call that needs a working session (and refreshes one that is old).
        self._call(
            self.client.com.atproto.server.get_session,
        )
        return Checked(posts_as=f"@{session.handle}")

    def publish(self, content: PostContent) -> Published:
        self.connect()
        if content.image:
            blob = self._call(self.client.upload_blob, content.image).blob
            aspect = None
            if content.image_size:
                aspect = models.AppBskyEmbedDefs.AspectRatio(
                    width=content.image_size[0], height=content.image_size[1]
                )
            embed = models.AppBskyEmbedImages.Main(
                images=[
                    models.AppBskyEmbedImages.Image(
                        alt=content.image_alt, image=blob, aspect_ratio=aspect
                    )
                ]
            )
        else:
            thumb = None
            if content.card_image:
                thumb = self._call(self.client.upload_blob, content.card_image).blob
            embed = models.AppBskyEmbedExternal.Main(
                external=models.AppBskyEmbedExternal.External(
                    uri=content.link,
                    title=content.link_title,
                    description=content.link_description,
                    thumb=thumb,
                )
            )
        facets = self._call(self.client.detect_facets, content.text)
        session = self._session()
        rkey = record_key(content)
        record = models.AppBskyFeedPost.Record(
            created_at=self.client.get_current_time_iso(),
            text=content.text,
            embed=embed,
            langs=["en"],
            facets=facets or None,
        )
        try:
            created = self._call(
                self.client.app.bsky.feed.post.create, session.did, record, rkey=rkey, final=True
            )
            uri = created.uri
        except ChannelError as error:
            if error.problem != Problem.CONTENT or "exist" not in error.detail.lower():
                raise
            # Already made by an earlier try whose answer was lost: that is our post.
            uri = self._call(self.client.app.bsky.feed.post.get, session.did, rkey).uri
        return Published(
            remote_id=uri, remote_url=f"https://bsky.app/profile/{session.handle}/post/{rkey}"
        )

    def delete(self, remote_id: str) -> None:
        self.connect()
        try:
            self._call(self.client.delete_post, remote_id)
        except ChannelError as error:
            if error.problem == Problem.CONTENT and "not found" in error.detail.lower():
                return
            raise
