"""The Mayor's office: the words of the letter, and a preview for any nominee."""

from django.contrib import messages
from django.db.models import Count, Max
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from council.permissions import staff_required
from council.roles import Role
from nominations.selectors import nominees_to_choose
from recognition import merge, services
from recognition.forms import LetterTemplateForm, PreviewForm, StaffLargePrintForm
from recognition.models import Letter, LetterTemplate, LetterVariant, PrintBatch

mayors_office_required = staff_required(role=Role.MAYORS_OFFICE)


def _variant_or_404(variant: str) -> str:
    if variant not in LetterVariant.values:
        raise Http404
    return variant


@mayors_office_required
@require_safe
def index(request):
    saved = {
        template.variant: template
        for template in LetterTemplate.objects.select_related("updated_by")
    }
    rows = [
        {"variant": value, "label": label, "template": saved.get(value)}
        for value, label in LetterVariant.choices
    ]
    return TemplateResponse(request, "recognition/letters/index.html", {"rows": rows})


@mayors_office_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, variant):
    variant = _variant_or_404(variant)
    template = LetterTemplate.objects.filter(variant=variant).first()
    initial = (
        {
            "salutation": template.salutation,
            "body": services.letter_html_for_editing(template.body),
            "letterhead": template.letterhead,
        }
        if template
        else None
    )
    form = LetterTemplateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.letter_template_save(variant=variant, actor=request.user, **form.cleaned_data)
        except services.LetterError as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field, problem)
        else:
            messages.success(
                request, f"The letter for {LetterVariant(variant).label.lower()} is saved."
            )
            return redirect("letters:index")
    return TemplateResponse(
        request,
        "recognition/letters/edit.html",
        {
            "form": form,
            "variant": variant,
            "label": LetterVariant(variant).label,
            "template": template,
            "fields": merge.FIELDS,
        },
    )


# How many nominees the preview's list offers at once; finding a name narrows it.
PREVIEW_CHOICES = 200


@mayors_office_required
@require_safe
def preview(request):
    """A letter as its nominee will get it, as a PDF, for any nominee."""
    # Imported here: WeasyPrint is slow to load, and only this page needs it.
    from recognition import letters
    from recognition.letter_pdf import LetterProblem

    search = request.GET.get("q", "").strip()
    # A link straight to one nominee's letter (the release page's sample) works
    # whoever it is, listed or not.
    listed, more = nominees_to_choose(
        search=search, limit=PREVIEW_CHOICES, also=[request.GET.get("nominee", "")]
    )
    # Finding a name fills in only `q`: the list narrows, no error is shown.
    form = PreviewForm(request.GET if "nominee" in request.GET else None, nominees=listed)
    if form.is_bound and form.is_valid():
        try:
            pdf = letters.letter_pdf(
                nominee_id=int(form.cleaned_data["nominee"]),
                large_print=form.cleaned_data["large_print"],
            )
        except (letters.LetterNotReady, LetterProblem) as error:
            form.add_error("nominee", str(getattr(error, "reason", None) or error))
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = 'inline; filename="letter-preview.pdf"'
            response["Cache-Control"] = "private, no-store"
            return response
    return TemplateResponse(
        request,
        "recognition/letters/preview.html",
        {
            "form": form,
            "q": search,
            "found": min(len(listed), PREVIEW_CHOICES),
            "more": more,
        },
    )


@mayors_office_required
@require_http_methods(["GET", "HEAD", "POST"])
def release(request):
    """Nothing goes out before the Mayor's office has looked at a sample and released it."""
    waiting = Letter.objects.filter(stage=Letter.Stage.AWAITING_RELEASE).select_related("nominee")
    if request.method == "POST":
        try:
            up_to = int(request.POST.get("up_to", ""))
        except ValueError:
            messages.error(
                request, "Nothing was released. Check the letters below, then release them."
            )
            return redirect("letters:release")
        counts = services.letters_release(actor=request.user, up_to_id=up_to)
        messages.success(
            request,
            f"Released {counts['email']} letter{pluralize(counts['email'])} to be emailed "
            f"and {counts['post']} for the next print batch.",
        )
        arrived = waiting.count()
        if arrived:
            messages.info(
                request,
                "1 more letter arrived while you were checking. Check it below before you release it."
                if arrived == 1
                else f"{arrived} more letters arrived while you were checking. "
                "Check them below before you release them.",
            )
        return redirect("letters:release")
    by_stage = dict(
        Letter.objects.values_list("stage")
        .annotate(count=Count("pk"))
        .values_list("stage", "count")
    )
    context = {
        "up_to": waiting.aggregate(newest=Max("pk"))["newest"],
        "sample": waiting.order_by("?")[:5],
        "waiting_email": waiting.filter(route=Letter.Route.EMAIL).count(),
        "waiting_post": waiting.filter(route=Letter.Route.POST).count(),
        "problems": services.letters_unprintable().select_related("nominee"),
        "stages": [(label, by_stage.get(value, 0)) for value, label in Letter.Stage.choices],
        "attention": services.letters_needing_attention(),
        "retrying": services.letters_email_retrying(),
    }
    return TemplateResponse(request, "recognition/letters/release.html", context)


@mayors_office_required
@require_http_methods(["GET", "HEAD", "POST"])
def large_print(request):
    """Letters asked for in large print, and a request taken by phone or letter recorded."""
    letters = services.letters_large_print()
    nominees, _more = nominees_to_choose(
        search=request.GET.get("q", ""),
        limit=500,
        also=[letter.nominee_id for letter in letters],
    )
    form = StaffLargePrintForm(
        request.POST or None, initial={"large_print": "yes"}, nominees=nominees
    )
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_large_print_set(
                nominee_id=int(form.cleaned_data["nominee"]),
                large_print=form.cleaned_data["large_print"] == "yes",
                actor=request.user,
                asked_by=services.MAYORS_OFFICE,
            )
        except services.PrintBatchError as error:
            form.add_error("nominee", str(error))
        else:
            messages.success(
                request, f"{letter.nominee.name}: {services.large_print_message(letter)}"
            )
            return redirect("letters:large_print")
    return TemplateResponse(
        request,
        "recognition/letters/large_print.html",
        {"form": form, "letters": letters, "q": request.GET.get("q", "")},
    )


@mayors_office_required
@require_http_methods(["GET", "HEAD", "POST"])
def batches(request):
    if request.method == "POST":
        try:
            batch = services.print_batch_create(actor=request.user)
        except services.PrintBatchError as error:
            messages.error(request, str(error))
            return redirect("letters:batches")
        return redirect("letters:batch", pk=batch.pk)
    waiting = Letter.objects.filter(stage=Letter.Stage.FOR_PRINT, print_batch__isnull=True)
    context = {
        "ready": waiting.filter(address_problem="").count(),
        "problems": waiting.exclude(address_problem="").select_related("nominee"),
        "batches": PrintBatch.objects.select_related("created_by").order_by("-created_at")[:50],
    }
    return TemplateResponse(request, "recognition/letters/batches.html", context)


def _batch_state(batch: PrintBatch) -> dict:
    working = batch.status in (PrintBatch.Status.QUEUED, PrintBatch.Status.SENDING)
    made = services.print_batch_progress(batch)
    if not working:
        text = "Finished."
    elif made and made == batch.letter_count:
        text = (
            f"Made all {batch.letter_count} letters. Putting them into one file."
            if batch.letter_count != 1
            else "Made the letter. Putting it into the file."
        )
    else:
        text = f"Made {made} of {batch.letter_count} letter{pluralize(batch.letter_count)}."
    return {"working": working, "checked": made, "total": batch.letter_count, "text": text}


@mayors_office_required
@require_safe
def batch(request, pk):
    batch = get_object_or_404(PrintBatch, pk=pk)
    state = _batch_state(batch)
    percent = round(100 * state["checked"] / batch.letter_count) if batch.letter_count else 0
    return TemplateResponse(
        request, "recognition/letters/batch.html", {"batch": batch, "percent": percent, **state}
    )


@mayors_office_required
@require_safe
def batch_progress(request, pk):
    return JsonResponse(_batch_state(get_object_or_404(PrintBatch, pk=pk)))


@mayors_office_required
@require_safe
def batch_download(request, pk, kind):
    batch = get_object_or_404(PrintBatch, pk=pk, status=PrintBatch.Status.SENT)
    file, name, content_type = (
        (batch.pdf, f"print-batch-{batch.pk}.pdf", "application/pdf")
        if kind == "pdf"
        else (batch.addresses, f"print-batch-{batch.pk}-addresses.csv", "text/csv")
    )
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@mayors_office_required
@require_POST
def batch_posted(request, pk):
    batch = get_object_or_404(PrintBatch, pk=pk)
    try:
        services.print_batch_mark_posted(batch=batch, actor=request.user)
    except services.PrintBatchError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Print batch {batch.pk} is marked as posted: {batch.letter_count} letter{pluralize(batch.letter_count)}.",
        )
    return redirect("letters:batch", pk=batch.pk)


@mayors_office_required
@require_POST
def retry(request, pk):
    letter = get_object_or_404(Letter, pk=pk)
    try:
        services.letter_retry(letter=letter, actor=request.user)
    except services.PrintBatchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The letter to {letter.nominee.name} will be tried again.")
    return redirect("letters:release")
