"""Comms staff draft, approve and schedule social posts; administrators set up the channels."""

import mimetypes
from functools import wraps

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from council.models import AuditLogEntry
from council.permissions import staff_required
from council.roles import Role
from council.selectors import publishing_paused
from recognition.social import selectors, services
from recognition.social.forms import (
    ChannelForm,
    ChannelKindForm,
    HistoryFilterForm,
    ListFilterForm,
    PostForm,
    ReconcileForm,
    ScheduleForm,
)
from recognition.social.models import Channel, SocialPost
from recognition.social.services import SocialError
from recognition.social.text import bluesky_facets, limits_for, measure
from recognition.stories.models import Story

comms_required = staff_required(role=Role.COMMS)
GET_OR_POST = ["GET", "HEAD", "POST"]


def admin_required(view):
    """Channels hold the council's credentials: administrators only."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return staff_required(wrapped)


def _post(pk: int) -> SocialPost:
    return get_object_or_404(
        SocialPost.objects.select_related("story", "channel", "approved_by"), pk=pk
    )


def _to_post(post: SocialPost):
    return redirect("social_staff:post", pk=post.pk)


def _refused(request, error: SocialError) -> None:
    messages.error(request, " ".join([error.message, *error.problems]))


def _add_to_form(form, error: SocialError) -> None:
    """A service's refusal, beside the field it concerns, or at the top of the error summary."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)
    for problem in error.problems:
        form.add_error(None, problem)


# --- Lists ---------------------------------------------------------------------------------


@comms_required
@require_safe
def index(request):
    """What goes out when, per channel: a calendar of posts not sent yet."""
    filters = ListFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    posts = selectors.posts_list(channel=cleaned.get("channel"), state=cleaned.get("state") or "")
    shown = list(posts[:301])
    return TemplateResponse(
        request,
        "social/index.html",
        {
            "filters": filters,
            "days": selectors.calendar(shown[:300]),
            "more": len(shown) > 300,
            "reconnect": Channel.objects.filter(needs_reconnecting_since__isnull=False),
        },
    )


@comms_required
@require_safe
def history(request):
    filters = HistoryFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    posts = selectors.posts_history(channel=cleaned.get("channel"))
    if cleaned.get("removal"):
        posts = posts.filter(removal=cleaned["removal"])
    page = Paginator(posts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "social/history.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@comms_required
@require_http_methods(GET_OR_POST)
def start(request):
    """Pick a published story to draft posts from."""
    if request.method == "POST":
        story_id = request.POST.get("story", "")
        if not story_id.isdigit():
            raise Http404
        story = get_object_or_404(Story, pk=int(story_id))
        try:
            made = services.posts_draft_for_story(story=story, actor=request.user)
        except SocialError as error:
            _refused(request, error)
            return redirect("social_staff:start")
        if made:
            messages.success(
                request,
                f"Drafted {len(made)} post{'s' if len(made) != 1 else ''}: "
                f"{', '.join(post.channel.name for post in made)}.",
            )
        else:
            messages.warning(request, "Every active channel already has a post about this story.")
        return redirect("social_staff:story", story_id=story.pk)
    stories = Paginator(selectors.stories_to_post(), 25).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "social/start.html",
        {"stories": stories, "channels": selectors.active_channels()},
    )


def _preview(post: SocialPost) -> dict:
    """What the preview of one post needs: the counts, the facets, the link card."""
    limits = limits_for(post.channel)
    return {
        "post": post,
        "limits": limits,
        "count": measure(post.text, limits),
        "facets": bluesky_facets(post.text) if post.channel.kind == Channel.Kind.BLUESKY else [],
        "link": selectors.story_link(post.story),
    }


@comms_required
@require_safe
def story(request, story_id):
    story = get_object_or_404(Story, pk=story_id)
    posts = list(story.social_posts.select_related("channel").order_by("channel__name"))
    missing = selectors.active_channels().exclude(posts__story=story)
    return TemplateResponse(
        request,
        "social/story.html",
        {
            "story": story,
            "previews": [_preview(post) for post in posts],
            "missing": list(missing),
        },
    )


# --- One post ----------------------------------------------------------------------------


@comms_required
@require_safe
def post(request, pk):
    post = _post(pk)
    history = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(SocialPost), object_id=str(post.pk)
    ).order_by("created_at", "pk")
    problems = selectors.post_problems(post) if post.state == SocialPost.State.DRAFT else []
    return TemplateResponse(
        request,
        "social/post.html",
        {
            **_preview(post),
            "problems": problems,
            "history": history,
            "can_approve": request.user.has_perm(services.APPROVE),
            "paused": publishing_paused(),
            "due": selectors.when_due(post),
        },
    )


@comms_required
@require_http_methods(GET_OR_POST)
def edit(request, pk):
    post = _post(pk)
    if not post.editable:
        messages.error(request, services.MESSAGES["not_editable"])
        return _to_post(post)
    form = PostForm(request.POST or None, request.FILES or None, post=post)
    if request.method == "POST" and form.is_valid():
        was = post.state
        try:
            services.post_edit(
                post=post,
                actor=request.user,
                text=form.cleaned_data["text"],
                image_alt=form.cleaned_data["image_alt"],
                image_shows_nominee=form.cleaned_data["image_shows_nominee"],
                new_image=form.cleaned_data.get("image"),
                remove_image=form.cleaned_data.get("remove_image", False),
            )
        except SocialError as error:
            _add_to_form(form, error)
        else:
            if was == SocialPost.State.DRAFT:
                messages.success(request, "The post is saved.")
            else:
                messages.success(request, "The post is saved. It needs approving again.")
            return _to_post(post)
    return TemplateResponse(request, "social/edit.html", {**_preview(post), "form": form})


@comms_required
@require_POST
def approve(request, pk):
    post = _post(pk)
    try:
        services.post_approve(post=post, actor=request.user)
    except SocialError as error:
        _refused(request, error)
    else:
        messages.success(request, "The post is approved. Schedule it to send it.")
    return _to_post(post)


@comms_required
@require_http_methods(GET_OR_POST)
def schedule(request, pk):
    post = _post(pk)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_schedule(
                post=post, actor=request.user, when=form.cleaned_data["send_at"]
            )
        except SocialError as error:
            _add_to_form(form, error)
        else:
            messages.success(
                request,
                f"Scheduled for {post.scheduled_for:%d %B %Y at %H:%M}."
                if form.cleaned_data["when"] == "later"
                else "The post will go out within a minute.",
            )
            return _to_post(post)
    return TemplateResponse(
        request,
        "social/schedule.html",
        {"post": post, "form": form, "paused": publishing_paused()},
    )


def _simple(action, success: str):
    """A view for a one-button change: call the service, say what happened, back to the post."""

    @comms_required
    @require_POST
    def view(request, pk):
        post = _post(pk)
        try:
            action(post=post, actor=request.user)
        except SocialError as error:
            _refused(request, error)
        else:
            messages.success(request, success)
        return _to_post(post)

    return view


unschedule = _simple(services.post_unschedule, "Taken off the schedule. It is still approved.")
retry = _simple(services.post_retry, "The post will be tried again within a minute.")
release = _simple(services.post_release, "The held post will go out within a minute.")
removed_by_hand = _simple(services.post_removed_by_hand, "Recorded: the post was removed by hand.")


@comms_required
@require_http_methods(GET_OR_POST)
def reconcile(request, pk):
    post = _post(pk)
    form = ReconcileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        posted = form.cleaned_data["posted"] == "yes"
        try:
            services.post_reconcile(
                post=post, actor=request.user, posted=posted, url=form.cleaned_data.get("url") or ""
            )
        except SocialError as error:
            _add_to_form(form, error)
        else:
            messages.success(
                request,
                "Recorded as sent."
                if posted
                else "Recorded as not posted. It is approved again: schedule it when you are ready.",
            )
            return _to_post(post)
    return TemplateResponse(request, "social/reconcile.html", {"post": post, "form": form})


@comms_required
@require_safe
def image(request, pk):
    """A post's picture: private until it is posted, so staff see it through here only."""
    post = _post(pk)
    picture = post.image_for_channel if request.GET.get("copy") == "channel" else post.image
    if not picture:
        raise Http404
    content_type = mimetypes.guess_type(picture.name)[0] or "application/octet-stream"
    response = FileResponse(picture.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Channels (administrators) -------------------------------------------------------------


@admin_required
@require_safe
def channels(request):
    return TemplateResponse(
        request, "social/channels.html", {"channels": Channel.objects.order_by("name")}
    )


@admin_required
@require_http_methods(GET_OR_POST)
def channel_new(request):
    kind = request.GET.get("kind", "")
    if kind not in Channel.Kind.values:
        chooser = (
            ChannelKindForm(request.GET or None) if "kind" in request.GET else ChannelKindForm()
        )
        if "kind" in request.GET:
            chooser.is_valid()
        return TemplateResponse(request, "social/channel_kind.html", {"form": chooser})
    form = ChannelForm(request.POST or None, kind=kind, instance=Channel(kind=kind))
    if request.method == "POST" and form.is_valid():
        channel = services.channel_save(
            channel=form.save(commit=False),
            actor=request.user,
            changed=list(form.changed_data),
            credentials=form.credentials(),
        )
        messages.success(
            request, f"{channel.name} is added. Test the connection to check it works."
        )
        return redirect("social_staff:channel", pk=channel.pk)
    return TemplateResponse(
        request,
        "social/channel_form.html",
        {"form": form, "kind_label": Channel.Kind(kind).label, "channel": None},
    )


@admin_required
@require_http_methods(GET_OR_POST)
def channel(request, pk):
    channel = get_object_or_404(Channel, pk=pk)
    form = ChannelForm(request.POST or None, kind=channel.kind, instance=channel)
    if request.method == "POST" and form.is_valid():
        credentials = form.credentials()
        services.channel_save(
            channel=form.save(commit=False),
            actor=request.user,
            changed=[name for name in form.changed_data if name != "secret_value"],
            credentials=credentials,
        )
        messages.success(
            request,
            f"{channel.name} is saved."
            + (" The new credentials are stored: test the connection." if credentials else ""),
        )
        return redirect("social_staff:channel", pk=channel.pk)
    return TemplateResponse(
        request,
        "social/channel_form.html",
        {"form": form, "kind_label": channel.get_kind_display(), "channel": channel},
    )


@admin_required
@require_POST
def channel_test(request, pk):
    channel = get_object_or_404(Channel, pk=pk)
    try:
        result = services.channel_test(channel=channel, actor=request.user)
    except SocialError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, result)
    return redirect("social_staff:channel", pk=channel.pk)
