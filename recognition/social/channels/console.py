"""The console channel, for development: the post is logged and written to a file.

Nothing leaves the machine. Each post is written once, to
var/social/<channel>/<post>.txt; writing the same post again finds it there.
"""

import logging
from pathlib import Path

from django.conf import settings

from recognition.social.channels.base import Checked, PostContent, Published

logger = logging.getLogger("recognition.social.console")


class ConsoleClient:
    def __init__(self, channel):
        self.channel = channel
        self.folder = Path(settings.VAR_DIR) / "social" / f"channel-{channel.pk}"

    def check(self) -> Checked:
        return Checked(posts_as=f"the console and {self.folder}")

    def publish(self, content: PostContent) -> Published:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{content.key}.txt"
        if not path.exists():
            lines = [content.text, ""]
            if content.image:
                lines.append(f"[Picture, {len(content.image):,} bytes: {content.image_alt}]")
            lines.append(f"[Link: {content.link}]")
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            logger.info("Social post on %s:\n%s", self.channel.name, content.text)
        return Published(remote_id=content.key)

    def delete(self, remote_id: str) -> None:
        (self.folder / f"{remote_id}.txt").unlink(missing_ok=True)
        logger.info("Social post %s on %s deleted", remote_id, self.channel.name)
