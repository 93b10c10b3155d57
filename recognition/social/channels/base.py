"""What every channel client does, and the one error type they all raise.

A client turns one channel's API into four calls: `check` (the "test connection"
button and the daily check), `publish`, `delete` and, for Mastodon, the instance's
limits. Each client sorts its library's errors into the kinds below, because what
happens next depends only on the kind:

- a passing fault (unreachable, rate limited, the server's own error): try again
  after the channel's reset time;
- a content error: fail at once with the channel's words;
- an authentication or permission error: fail, and mark the channel as needing
  reconnecting;
- an uncertain outcome (the request left and no answer came back): the post may be
  out there, so it is never sent again without a person checking.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests
import urllib3
from django.utils import timezone


class Problem:
    # Names of kinds of problem, not credentials.
    BAD_TOKEN = "bad_token"  # noqa: S105
    EXPIRED_TOKEN = "expired_token"  # noqa: S105
    MISSING_PERMISSION = "missing_permission"
    UNREACHABLE = "unreachable"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    CONTENT = "content"
    UNCERTAIN = "uncertain"


AUTH = {Problem.BAD_TOKEN, Problem.EXPIRED_TOKEN, Problem.MISSING_PERMISSION}
PASSING = {Problem.UNREACHABLE, Problem.RATE_LIMITED, Problem.SERVER_ERROR}

# What each kind means, in plain words, before the channel's own.
EXPLANATIONS = {
    Problem.BAD_TOKEN: "{channel} did not accept the credentials: they may be mistyped or revoked.",
    Problem.EXPIRED_TOKEN: "The credentials for {channel} have expired.",
    Problem.MISSING_PERMISSION: "The credentials for {channel} do not allow posting.",
    Problem.UNREACHABLE: "{channel} could not be reached.",
    Problem.RATE_LIMITED: "{channel} asked us to wait before posting again (rate limit).",
    Problem.SERVER_ERROR: "{channel} had a problem of its own.",
    Problem.CONTENT: "{channel} refused the post.",
    Problem.UNCERTAIN: (
        "{channel} did not answer after the post was sent, so it may have been posted."
    ),
}


class ChannelError(Exception):
    """A channel said no, or could not say. `detail` is the channel's own words."""

    def __init__(self, problem: str, detail: str = "", *, retry_at: datetime | None = None):
        super().__init__(detail or problem)
        self.problem = problem
        self.detail = detail
        self.retry_at = retry_at

    @property
    def is_auth(self) -> bool:
        return self.problem in AUTH

    @property
    def is_passing(self) -> bool:
        return self.problem in PASSING

    def explain(self, channel_name: str) -> str:
        words = EXPLANATIONS[self.problem].format(channel=channel_name)
        if self.detail:
            words += f" It said: \u201c{self.detail}\u201d"
        return words


@dataclass(frozen=True)
class PostContent:
    """Everything a client needs to publish one post."""

    key: str  # stable for the post: Mastodon's Idempotency-Key, Bluesky's record key
    text: str
    link: str
    link_title: str
    link_description: str
    created_at: datetime
    image: bytes | None = None
    image_type: str = ""
    image_alt: str = ""
    image_size: tuple[int, int] | None = None
    # A picture for the link card when the post has none of its own (Bluesky).
    card_image: bytes | None = None
    card_image_type: str = ""


@dataclass(frozen=True)
class Published:
    remote_id: str
    remote_url: str = ""


@dataclass(frozen=True)
class Checked:
    """A connection that works: who it posts as, and what the channel said of its limits."""

    posts_as: str
    max_characters: int | None = None
    url_length: int | None = None
    alt_text_limit: int | None = None


def retry_time(headers, *, now: datetime | None = None) -> datetime | None:
    """When the channel said to come back: Retry-After (seconds or a date), or a reset time.

    Mastodon sends X-RateLimit-Reset as a date; Bluesky sends RateLimit-Reset as
    seconds since 1970. Header names are matched whatever their case.
    """
    now = now or timezone.now()
    lowered = {str(name).lower(): str(value) for name, value in (headers or {}).items()}
    after = lowered.get("retry-after")
    if after:
        try:
            return now + timedelta(seconds=max(float(after), 0))
        except ValueError:
            try:
                return parsedate_to_datetime(after)
            except (TypeError, ValueError):
                pass
    reset = lowered.get("ratelimit-reset") or lowered.get("x-ratelimit-reset")
    if reset:
        try:
            number = float(reset)
        except ValueError:
            try:
                return datetime.fromisoformat(reset.replace("Z", "+00:00"))
            except ValueError:
                return None
        # Seconds since 1970, or (some servers) seconds from now.
        if number > 1_000_000_000:
            return datetime.fromtimestamp(number, tz=UTC)
        return now + timedelta(seconds=max(number, 0))
    return None


def request_left(error: BaseException | None) -> bool:
    """Whether a failed request may have reached the server (so it may have been acted on)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(error, requests.exceptions.ReadTimeout):
        return True
    if isinstance(error, requests.exceptions.ConnectionError):
        reason = error.args[0] if error.args else None
        reason = getattr(reason, "reason", reason)  # inside urllib3's MaxRetryError
        return not isinstance(
            reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
        )
    # Anything else we cannot place: assume the worst, so nothing is sent twice.
    return True
