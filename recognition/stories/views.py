"""The public side of stories: the list, each story's page, the Atom feed and the press pack.

What consent allows is worked out in the selectors, which keep a story's page and the
feed only until anything they depend on changes (selectors.story_public); and no
response may be kept by a browser or proxy without asking again, so a story taken
down for consent is gone from every page and from the feed on the next request.
"""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from recognition.stories import selectors
from recognition.stories.feeds import StoriesAtomFeed, StoriesFeed
from recognition.stories.press import press_pack_zip
from recognition.stories.public_forms import StoryFilterForm

# Caches may keep a copy but must ask this server again before using it.
REVALIDATE = "no-cache"
# Nothing may keep a copy at all: pages whose story is hidden or gone, and press packs.
NO_STORE = "private, no-cache, no-store, max-age=0"


def _cache(response, policy: str):
    response["Cache-Control"] = policy
    return response


@require_safe
def story_list(request):
    areas, tags = selectors.filter_choices()
    form = StoryFilterForm(request.GET or None, areas=areas, tags=tags)
    chosen = form.chosen()
    page = selectors.stories_page(**chosen, page=request.GET.get("page"))
    # The filters in a fixed order, so each page of results has one address.
    filters = []
    if chosen["area"]:
        filters.append(("ward", chosen["area"].code))
    if chosen["tag"]:
        filters.append(("tag", chosen["tag"].slug))
    query = urlencode(filters)
    response = TemplateResponse(
        request,
        "stories/list.html",
        {
            "form": form,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "query": query,
            "filtered": any(chosen.values()),
        },
    )
    return _cache(response, REVALIDATE)


def _gone(request):
    response = TemplateResponse(request, "stories/gone.html", status=410)
    return _cache(response, NO_STORE)


@require_safe
def story_page(request, slug):
    answer = selectors.story_public(slug=slug)
    if answer.kind == "missing":
        raise Http404
    if answer.kind == "moved":
        return _cache(HttpResponsePermanentRedirect(answer.location), REVALIDATE)
    if answer.kind == "gone":
        return _gone(request)
    context = answer.context
    # A published story that consent no longer allows is gone; a withdrawn one keeps its page.
    status = 410 if not context["available"] and not context["withdrawn"] else 200
    response = TemplateResponse(request, "stories/story.html", context, status=status)
    return _cache(response, REVALIDATE if context["available"] else NO_STORE)


@require_safe
def story_feed(request):
    # A new feed object each time: it keeps the council's settings while it writes.
    body = selectors.feed_cached(lambda: StoriesFeed()(request).content)
    response = HttpResponse(body, content_type=StoriesAtomFeed.content_type)
    return _cache(response, REVALIDATE)


@require_safe
def story_press_pack(request, slug):
    found = selectors.story_find(slug=slug)
    if found.story is not None and found.moved:
        return HttpResponsePermanentRedirect(selectors.press_pack_path(found.story))
    pack = selectors.story_press_pack(found.story) if found.story is not None else None
    if pack is None:
        raise Http404
    response = HttpResponse(press_pack_zip(pack), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{found.story.slug}-press-pack.zip"'
    return _cache(response, NO_STORE)
