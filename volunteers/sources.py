"""Source codes as the volunteer sign-up uses them: which code brought this visitor,
and which "how did you hear about us?" answer that code suggests.

The session key and the reader live in council/sources.py, because nominations
reads the same key and must not import this app.
"""

from council.models import SourceCode
from council.sources import SESSION_KEY, source_code_from_session, source_code_remember
from volunteers.models import Volunteer

__all__ = [
    "SESSION_KEY",
    "heard_from_for",
    "source_code_from_session",
    "source_code_remember",
]

# A code printed on a leaflet suggests "a leaflet" as the answer, and so on.
# Events and "other" suggest nothing: the volunteer says in their own words.
_HEARD_FROM_BY_MEDIUM = {
    SourceCode.Medium.LEAFLET: Volunteer.HeardFrom.LEAFLET,
    SourceCode.Medium.POSTER: Volunteer.HeardFrom.POSTER,
    SourceCode.Medium.VEHICLE: Volunteer.HeardFrom.VEHICLE,
    SourceCode.Medium.STORY: Volunteer.HeardFrom.STORY,
    SourceCode.Medium.SOCIAL: Volunteer.HeardFrom.SOCIAL,
}


def heard_from_for(source: SourceCode | None) -> str:
    """The answer to pre-select for someone who came through `source`, or ""."""
    if source is None:
        return ""
    return str(_HEARD_FROM_BY_MEDIUM.get(source.medium, ""))
