"""The in-memory channel, for automated tests: posts are kept in this process only.

`posts` holds what was published, by channel id; `fail_next` queues errors the
next calls raise, so a test can make the channel refuse, time out or rate-limit.
"""

from recognition.social.channels.base import ChannelError, Checked, PostContent, Published

posts: dict[int, dict[str, dict]] = {}
fail_next: list[ChannelError] = []


def reset() -> None:
    posts.clear()
    fail_next.clear()


class MemoryClient:
    def __init__(self, channel):
        self.channel = channel

    def _maybe_fail(self) -> None:
        if fail_next:
            raise fail_next.pop(0)

    def check(self) -> Checked:
        self._maybe_fail()
        return Checked(posts_as="this process's memory")

    def publish(self, content: PostContent) -> Published:
        self._maybe_fail()
        kept = posts.setdefault(self.channel.pk, {})
        # The same post twice is the same post, as on a channel with idempotency keys.
        kept.setdefault(
            content.key,
            {"text": content.text, "image_alt": content.image_alt, "link": content.link},
        )
        return Published(
            remote_id=content.key,
            remote_url=f"https://memory.invalid/{self.channel.pk}/{content.key}",
        )

    def delete(self, remote_id: str) -> None:
        self._maybe_fail()
        posts.get(self.channel.pk, {}).pop(remote_id, None)
