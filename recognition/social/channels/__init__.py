"""One client per kind of channel; `client_for` picks it."""


def client_for(channel, *, save_session=None):
    """The client that talks to this channel. `save_session` keeps a refreshed Bluesky session."""
    kind = channel.kind
    if kind == "mastodon":
        from recognition.social.channels.mastodon import MastodonClient

        return MastodonClient(channel)
    if kind == "bluesky":
        from recognition.social.channels.bluesky import BlueskyClient

        return BlueskyClient(channel, save_session=save_session)
    if kind == "facebook":
        from recognition.social.channels.facebook import FacebookClient

        return FacebookClient(channel)
    if kind == "console":
        from recognition.social.channels.console import ConsoleClient

        return ConsoleClient(channel)
    if kind == "memory":
        from recognition.social.channels.memory import MemoryClient

        return MemoryClient(channel)
    raise ValueError(f"No client for channels of kind {kind!r}")
