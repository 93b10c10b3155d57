"""The public roll of honour at /heroes/."""

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from council.selectors import council_settings
from recognition.honours import selectors
from recognition.honours.forms import HeroSearchForm
from recognition.stories import selectors as stories

# Kept no longer than the stories app keeps its pages, whose links these show.
_KEPT_SECONDS = min(selectors.PAGE_CACHE_SECONDS, stories.PAGE_CACHE_SECONDS)


def _page_number(value: str | None) -> int:
    if value is None or value == "":
        return 1
    if not value.isdigit():
        raise Http404("No such page")
    return int(value)


def _page_url(path: str, query: str, number: int) -> str:
    """The one address of a page: page 1 has no page number, so it is the same as the roll itself."""
    parts = [query] if query else []
    if number > 1:
        parts.append(f"page={number}")
    return f"{path}?{'&'.join(parts)}" if parts else path


def _pagination(page, path: str, query: str) -> dict:
    """Links GOV.UK style: previous, next, the first and last pages and those either side of this one."""
    wanted = {1, page.num_pages, page.number - 1, page.number, page.number + 1}
    items: list[dict | None] = []
    previous = 0
    for number in sorted(n for n in wanted if 1 <= n <= page.num_pages):
        if number > previous + 1:
            items.append(None)  # an ellipsis for the pages left out
        items.append(
            {
                "number": number,
                "url": _page_url(path, query, number),
                "current": number == page.number,
            }
        )
        previous = number
    return {
        "items": items,
        "previous": _page_url(path, query, page.number - 1) if page.has_previous else None,
        "next": _page_url(path, query, page.number + 1) if page.has_next else None,
    }


def _results_html(request, *, state, filters, page, query: str) -> str:
    """The count, the names and the page links, kept as HTML while nothing they show changes:
    not the roll (its version), nor the stories linked (the stories app's public version)."""
    address = hashlib.sha256(f"{request.path}?{query}&{page.number}".encode()).hexdigest()[:32]
    key = f"honours:results:{state.version}:{stories.public_version()}:{address}"
    html = cache.get(key)
    if html is None:
        ids = [row["nominee_id"] for row in page.rows]
        links = selectors.story_links(ids) if ids else {}
        html = render_to_string(
            "honours/results.html",
            {
                "filters": filters,
                "filtered": bool(query),
                "page": page,
                "rows": [{**row, "story": links.get(row["nominee_id"])} for row in page.rows],
                "pagination": _pagination(page, request.path, query),
            },
        )
        cache.set(key, html, _KEPT_SECONDS)
    # Our own template's output (every value in it escaped there), whether new or kept.
    return mark_safe(html)  # noqa: S308


def _signed_out_page_key(request, state) -> str | None:
    """Where the whole page is kept for people who are signed out, or None for anyone else.

    Signed out, the page is the same for everyone who asks for the same address, until
    the roll, a linked story or the council's own settings change (and for a minute at most,
    so a new campaign or ward joins the filters); signed-in people see their own
    navigation, and waiting messages are shown once.
    """
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return None
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    council = council_settings().updated_at.timestamp()
    return f"honours:html:{state.version}:{stories.public_version()}:{council}:{address}"


def _private(response):
    # Names leave this page the moment consent is withdrawn: no shared cache may keep a copy.
    patch_cache_control(response, private=True, no_cache=True, max_age=0)
    return response


@require_safe
def index(request):
    """Everyone who agreed to be named, A to Z, with search and filters that work without JavaScript."""
    state = selectors.roll_state()
    page_key = _signed_out_page_key(request, state)
    kept = cache.get(page_key) if page_key else None
    if kept is not None:
        return _private(HttpResponse(kept))

    options = selectors.filter_options()
    form = HeroSearchForm(request.GET if request.GET.keys() - {"page"} else None, options=options)
    filters = form.filters()
    page = selectors.heroes_page(
        filters=filters, page=_page_number(request.GET.get("page")), state=state
    )
    query = request.GET.copy()
    query.pop("page", None)
    query = query.urlencode()
    response = TemplateResponse(
        request,
        "honours/index.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "filtered": bool(query),
            "results": _results_html(request, state=state, filters=filters, page=page, query=query),
            # The search form's HTML is the same for everyone who sent the same answers.
            "form_key": hashlib.sha256(f"{options.signature}?{query}".encode()).hexdigest()[:32],
        },
    )
    if page_key:
        response.add_post_render_callback(
            lambda rendered: cache.set(page_key, rendered.content, _KEPT_SECONDS)
        )
    return _private(response)
