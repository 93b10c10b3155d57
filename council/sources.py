"""Which leaflet, poster, vehicle panel or story brought a visitor, kept in their session.

/v/<code> (volunteers/source_views.py) remembers the source here; the volunteer
sign-up and the nomination journey read it back with source_code_from_session,
so both apps attribute to the same code without importing each other. Only the
session is used: no other cookie is set.
"""

from council.models import SourceCode

SESSION_KEY = "campaign_source"


def source_code_remember(request, source: SourceCode) -> None:
    """Keep the source in the visitor's session; the latest code they followed wins."""
    request.session[SESSION_KEY] = source.pk


def source_code_from_session(request) -> SourceCode | None:
    """The source code this visitor arrived through, or None (never set, or since deleted)."""
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return SourceCode.objects.filter(pk=pk).first()
