"""The steps a referral goes through, as buttons on the coordinator's and the organisation's
pages: each step's words, its form (if it asks anything) and the service that takes it."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms

from volunteers.models import Referral
from volunteers.services import placement
from volunteers.staff_forms import CheckStageForm, ReasonForm

NO_CHECK_RESULTS = (
    "The coordinator reads this. Do not write the result of any check or anything about a "
    "criminal record."
)


@dataclass(frozen=True)
class Step:
    name: str
    button: str
    done: str
    form: Callable[..., forms.Form] | None = None
    # Only the coordinator takes this step (an organisation cannot close its own referral unanswered).
    coordinator_only: bool = False
    warning: bool = False


def _decline_form(*args, **kwargs):
    return ReasonForm(
        *args,
        label="Why can the organisation not take them?",
        hint=NO_CHECK_RESULTS,
        required_message="Enter why the organisation cannot take them",
        **kwargs,
    )


def _end_form(*args, **kwargs):
    return ReasonForm(
        *args,
        label="Why did they stop volunteering?",
        hint=NO_CHECK_RESULTS,
        required_message="Enter why they stopped volunteering",
        **kwargs,
    )


STEPS = {
    step.name: step
    for step in [
        Step("acknowledge", "Acknowledge the referral", "Referral acknowledged."),
        Step(
            "contacted",
            "Record first contact with the volunteer",
            "First contact with the volunteer recorded.",
        ),
        Step(
            "checks",
            "Save the stage of the checks",
            "The stage of the checks is saved.",
            form=CheckStageForm,
        ),
        Step("activate", "Mark them as volunteering", "They are now marked as volunteering."),
        Step(
            "decline",
            "Decline the referral",
            "Referral declined.",
            form=_decline_form,
            warning=True,
        ),
        Step(
            "end",
            "Mark them as no longer volunteering",
            "Volunteering ended.",
            form=_end_form,
            warning=True,
        ),
        Step(
            "no_response",
            "Close as no response",
            "Closed as no response. Refer them to another role below.",
            coordinator_only=True,
            warning=True,
        ),
    ]
}


def steps_for(referral: Referral, *, coordinator: bool) -> list[Step]:
    """The steps that can be taken now, by the coordinator or by the organisation."""
    return [
        STEPS[name]
        for name in placement.referral_steps(referral)
        if coordinator or not STEPS[name].coordinator_only
    ]


def blank_forms(referral: Referral, *, coordinator: bool) -> list[tuple[Step, forms.Form | None]]:
    initial = {"stage": referral.check_stage}
    return [
        (step, step.form(initial=initial, prefix=step.name) if step.form else None)
        for step in steps_for(referral, coordinator=coordinator)
    ]


def take(step: Step, *, referral: Referral, actor, data) -> tuple[bool, forms.Form | None]:
    """Take the step with the posted answers. Returns (done, the form with its errors).

    A broken rule (the referral moved on meanwhile) raises placement.PlacementError.
    """
    form = step.form(data, prefix=step.name) if step.form else None
    if form is not None and not form.is_valid():
        return False, form
    if step.name == "acknowledge":
        placement.referral_acknowledge(referral=referral, actor=actor)
    elif step.name == "contacted":
        placement.referral_contacted(referral=referral, actor=actor)
    elif step.name == "checks":
        placement.referral_check_stage(
            referral=referral, actor=actor, stage=form.cleaned_data["stage"]
        )
    elif step.name == "activate":
        placement.referral_activate(referral=referral, actor=actor)
    elif step.name == "decline":
        placement.referral_decline(
            referral=referral, actor=actor, reason=form.cleaned_data["reason"]
        )
    elif step.name == "end":
        placement.referral_end(referral=referral, actor=actor, reason=form.cleaned_data["reason"])
    elif step.name == "no_response":
        placement.referral_no_response(referral=referral, actor=actor)
    return True, form
