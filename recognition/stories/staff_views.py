"""Comms staff write, review, publish and take down stories; administrators pause publishing."""

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from council import services as council_services
from council.models import AuditLogEntry
from council.permissions import staff_required
from council.roles import Role
from council.selectors import publishing_paused
from recognition.stories import consent, diff
from recognition.stories.models import Story, StoryRevision
from recognition.stories.services import workflow
from recognition.stories.services.workflow import StoryError
from recognition.stories.staff_forms import (
    CompareForm,
    NominationSearchForm,
    PauseForm,
    PublishForm,
    ReturnForm,
    StartStoryForm,
    StoryFilterForm,
    StoryForm,
    TakeDownForm,
)

comms_required = staff_required(role=Role.COMMS)
GET_OR_POST = ["GET", "HEAD", "POST"]


def _story(pk: int) -> Story:
    return get_object_or_404(
        Story.objects.select_related("author", "approved_by", "area", "taken_down_by"), pk=pk
    )


def _to_story(story: Story):
    return redirect("stories_staff:detail", pk=story.pk)


def _add_to_form(form, error: StoryError) -> None:
    """A service's refusal, beside the field it concerns, or at the top of the error summary."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    elif not error.problems:
        form.add_error(None, error.message)
    for problem in error.problems:
        form.add_error(None, problem)


# --- Lists and starting -----------------------------------------------------------


@comms_required
@require_safe
def index(request):
    filters = StoryFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    stories = Story.objects.select_related("author", "area").order_by("-updated_at", "-pk")
    if cleaned.get("status"):
        stories = stories.filter(status=cleaned["status"])
    if cleaned.get("area"):
        stories = stories.filter(area=cleaned["area"])
    if cleaned.get("tag"):
        stories = stories.filter(tags=cleaned["tag"])
    if cleaned.get("mine"):
        stories = stories.filter(author=request.user)
    if cleaned.get("q", "").strip():
        words = cleaned["q"].strip()
        stories = stories.filter(Q(title__icontains=words) | Q(summary__icontains=words))
    page = Paginator(stories, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = {
        "held": Story.objects.filter(status=Story.Status.SCHEDULED, held_by_pause=True).count()
    }
    return TemplateResponse(
        request,
        "stories/staff/index.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "counts": counts},
    )


@comms_required
@require_http_methods(GET_OR_POST)
def start(request):
    search = NominationSearchForm(request.GET or None)
    words = search.cleaned_data.get("q", "").strip() if search.is_valid() else ""
    form = StartStoryForm(request.POST or None, search=words)
    if request.method == "POST" and form.is_valid():
        try:
            story = workflow.story_create(
                actor=request.user,
                nominations=form.cleaned_data["nominations"],
                title=form.cleaned_data["title"],
            )
        except StoryError as error:
            _add_to_form(form, error)
        else:
            messages.success(
                request, "Story started. Write the public text beside the nominations."
            )
            return redirect("stories_staff:edit", pk=story.pk)
    return TemplateResponse(
        request, "stories/staff/start.html", {"form": form, "search": search, "words": words}
    )


# --- One story --------------------------------------------------------------------


def _history(story: Story):
    return AuditLogEntry.objects.filter(
        content_type__app_label="stories",
        content_type__model="story",
        object_id=str(story.pk),
    ).order_by("-created_at", "-pk")


def _detail_context(request, story: Story) -> dict:
    people = consent.people_in(story)
    history = list(_history(story)[:50])
    returned = next((entry for entry in history if entry.action == "stories.story.returned"), None)
    return {
        "story": story,
        "people": people,
        "problems": consent.publication_problems(story, people=people)
        if story.status != Story.Status.TAKEN_DOWN
        else [],
        "nominations": story.nominations.select_related("nominee", "category", "campaign"),
        "tags": list(story.tags.all()),
        "history": history,
        "returned": returned if story.status == Story.Status.DRAFT else None,
        "can_approve": workflow.may_approve(request.user, story),
        "can_publish": request.user.has_perm(workflow.PUBLISH),
        "public_path": workflow.public_path(story),
        "paused": publishing_paused(),
    }


def _detail(request, story: Story, *, error: StoryError | None = None):
    context = _detail_context(request, story)
    context["error"] = error
    return TemplateResponse(request, "stories/staff/detail.html", context)


@comms_required
@require_safe
def detail(request, pk):
    return _detail(request, _story(pk))


@comms_required
@require_http_methods(GET_OR_POST)
def edit(request, pk):
    story = _story(pk)
    if story.status == Story.Status.TAKEN_DOWN:
        messages.error(request, StoryError.messages["taken_down"])
        return _to_story(story)
    form = StoryForm(
        request.POST or None,
        request.FILES or None,
        story=story,
        initial=StoryForm.initial_for(story),
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = workflow.story_save(
                story=story, actor=request.user, **form.service_arguments()
            )
        except StoryError as error:
            _add_to_form(form, error)
        else:
            text = f"Saved as revision {result.revision.number}."
            if result.needs_approval_again:
                text += " The story had been approved, so it is back in review and needs approving again."
            elif result.story.status == Story.Status.PUBLISHED:
                text += " The change is live on the public page."
            messages.success(request, text)
            return _to_story(result.story)
    people = consent.people_in(story)
    return TemplateResponse(
        request,
        "stories/staff/edit.html",
        {
            "story": story,
            "form": form,
            "people": people,
            "nominations": story.nominations.select_related("nominee", "category", "campaign"),
        },
    )


@comms_required
@require_safe
def preview(request, pk):
    """Exactly what the public will see: the public template, marked as a preview."""
    from recognition.stories.selectors import story_page_context

    story = _story(pk)
    response = TemplateResponse(
        request, "stories/story.html", story_page_context(story, request=request, preview=True)
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@comms_required
@require_safe
def image(request, pk):
    """The story's picture for staff, before it is public (nothing is served from media in production)."""
    story = _story(pk)
    if not story.hero_image:
        raise Http404
    content_type = mimetypes.guess_type(story.hero_image.name)[0] or "application/octet-stream"
    response = FileResponse(story.hero_image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def _step(request, pk, service, done: str):
    """A one-button step (send for review, approve, unschedule, release): the service, then
    the story page with what happened, or the reason it could not."""
    story = _story(pk)
    try:
        service(story=story, actor=request.user)
    except StoryError as error:
        return _detail(request, story, error=error)
    messages.success(request, done() if callable(done) else done)
    return _to_story(story)


@comms_required
@require_POST
def submit(request, pk):
    return _step(
        request, pk, workflow.story_submit, "Sent for review. A colleague can now approve it."
    )


@comms_required
@require_POST
def approve(request, pk):
    return _step(
        request, pk, workflow.story_approve, "Story approved. It can now be published or scheduled."
    )


@comms_required
@require_http_methods(GET_OR_POST)
def return_to_draft(request, pk):
    story = _story(pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.story_return_to_draft(
                story=story, actor=request.user, comment=form.cleaned_data["comment"]
            )
        except StoryError as error:
            _add_to_form(form, error)
        else:
            messages.success(request, "Returned to draft with your comment.")
            return _to_story(story)
    return TemplateResponse(request, "stories/staff/return.html", {"story": story, "form": form})


@comms_required
@require_http_methods(GET_OR_POST)
def publish(request, pk):
    story = _story(pk)
    if not request.user.has_perm(workflow.PUBLISH):
        raise PermissionDenied
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.story_publish(
                story=story, actor=request.user, publish_at=form.cleaned_data["publish_at"]
            )
        except StoryError as error:
            _add_to_form(form, error)
        else:
            story.refresh_from_db()
            if story.status == Story.Status.PUBLISHED:
                messages.success(request, f"Published at {workflow.public_path(story)}")
            else:
                when = timezone.localtime(story.publish_at)
                messages.success(request, f"Scheduled for {when:%-d %B %Y} at {when:%H:%M}.")
            return _to_story(story)
    return TemplateResponse(
        request,
        "stories/staff/publish.html",
        {
            "story": story,
            "form": form,
            "problems": consent.publication_problems(story),
            "paused": publishing_paused(),
        },
    )


@comms_required
@require_POST
def unschedule(request, pk):
    return _step(
        request,
        pk,
        workflow.story_unschedule,
        "Taken off the schedule. The story is still approved.",
    )


@comms_required
@require_POST
def release(request, pk):
    story = _story(pk)
    return _step(
        request,
        pk,
        workflow.story_release_held,
        lambda: f"Published at {workflow.public_path(story)}",
    )


@comms_required
@require_http_methods(GET_OR_POST)
def take_down(request, pk):
    story = _story(pk)
    if not request.user.has_perm(workflow.PUBLISH):
        raise PermissionDenied
    form = TakeDownForm(request.POST or None, story=story)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.story_take_down(
                story=story,
                actor=request.user,
                kind=data["kind"],
                reason=data["reason"],
                notice=data["notice"],
                superseded_by_story=data["superseded_story"],
                superseded_path=data["superseded_path"],
            )
        except StoryError as error:
            _add_to_form(form, error)
        else:
            messages.success(request, "The story is taken down.")
            return _to_story(story)
    return TemplateResponse(request, "stories/staff/take_down.html", {"story": story, "form": form})


# --- Revisions --------------------------------------------------------------------


@comms_required
@require_safe
def revisions(request, pk):
    story = _story(pk)
    rows = list(story.revisions.select_related("created_by").order_by("-number"))
    numbers = [revision.number for revision in rows]
    form = CompareForm(
        numbers=sorted(numbers),
        initial={
            "a": numbers[1] if len(numbers) > 1 else None,
            "b": numbers[0] if numbers else None,
        },
    )
    return TemplateResponse(
        request,
        "stories/staff/revisions.html",
        {"story": story, "revisions": rows, "compare_form": form},
    )


@comms_required
@require_safe
def compare(request, pk):
    story = _story(pk)
    numbers = sorted(story.revisions.values_list("number", flat=True))
    form = CompareForm(request.GET or None, numbers=numbers)
    changes, earlier, later = [], None, None
    if form.is_valid():
        first, second = sorted([form.cleaned_data["a"], form.cleaned_data["b"]])
        found = {
            revision.number: revision
            for revision in StoryRevision.objects.filter(
                story=story, number__in=[first, second]
            ).select_related("created_by")
        }
        earlier, later = found[first], found[second]
        changes = diff.compare(earlier, later)
    return TemplateResponse(
        request,
        "stories/staff/compare.html",
        {"story": story, "form": form, "changes": changes, "earlier": earlier, "later": later},
    )


@comms_required
@require_POST
def restore(request, pk, number):
    story = _story(pk)
    try:
        result = workflow.story_restore_revision(story=story, number=number, actor=request.user)
    except StoryError as error:
        return _detail(request, story, error=error)
    text = f"Revision {number} restored as revision {result.revision.number}."
    if result.needs_approval_again:
        text += " The story had been approved, so it is back in review and needs approving again."
    messages.success(request, text)
    return _to_story(story)


# --- The schedule and the pause ---------------------------------------------------


@comms_required
@require_safe
def held(request):
    stories = Story.objects.filter(status=Story.Status.SCHEDULED, held_by_pause=True).order_by(
        "publish_at", "pk"
    )
    return TemplateResponse(
        request,
        "stories/staff/held.html",
        {
            "stories": stories,
            "paused": publishing_paused(),
            "can_publish": request.user.has_perm(workflow.PUBLISH),
        },
    )


@comms_required
@require_POST
def release_all(request):
    try:
        published, refused = workflow.stories_release_held(actor=request.user)
    except StoryError as error:
        messages.error(request, error.message)
        return redirect("stories_staff:held")
    if published:
        messages.success(
            request, f"Published {len(published)} held stor{'y' if len(published) == 1 else 'ies'}."
        )
    for story, error in refused.items():
        messages.error(request, f"“{story.title}” was not published. {error}")
    return redirect("stories_staff:held")


@staff_required
@require_http_methods(GET_OR_POST)
def pause(request):
    """Administrators pause all publishing before an election, and resume it after."""
    if not request.user.is_superuser:
        raise PermissionDenied
    current = publishing_paused()
    form = PauseForm(request.POST or None) if current is None else None
    if request.method == "POST":
        try:
            if current is None:
                if form.is_valid():
                    council_services.publishing_pause(
                        actor=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, "All publishing is paused.")
                    return redirect("stories_staff:pause")
            else:
                council_services.publishing_resume(actor=request.user)
                waiting = Story.objects.filter(
                    status=Story.Status.SCHEDULED, held_by_pause=True
                ).count()
                messages.success(
                    request,
                    "Publishing has resumed."
                    + (
                        f" {waiting} held stor{'y waits' if waiting == 1 else 'ies wait'} for staff to confirm."
                        if waiting
                        else ""
                    ),
                )
                return redirect("stories_staff:pause")
        except council_services.CouncilError as error:
            messages.error(request, str(error))
            return redirect("stories_staff:pause")
    held_count = Story.objects.filter(status=Story.Status.SCHEDULED, held_by_pause=True).count()
    return TemplateResponse(
        request,
        "stories/staff/pause.html",
        {"form": form, "current": current, "held_count": held_count},
    )
