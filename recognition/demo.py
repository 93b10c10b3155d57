"""Demo letters: one for each kind of nominee, in the Mayor's words. Loaded by `load_demo`."""

from recognition import services
from recognition.models import LetterTemplate, LetterVariant

THANKS = (
    "<p>I am writing to thank you personally. You have been nominated for {campaign} in the "
    "category <strong>{category}</strong>, and I wanted you to know what was said about you:</p>"
    "<p><em>{nomination_words}</em></p>"
    "<p>People like you are the reason I am so proud of our borough. Thank you for everything you do.</p>"
)

LETTERS = {
    LetterVariant.PERSON: ("Dear {first_name}", THANKS),
    LetterVariant.YOUNG_PERSON: (
        "Dear {first_name}",
        "<p>I am writing to thank you personally. Someone who knows you nominated you for {campaign} as a "
        "<strong>{category}</strong>, and this is what they said:</p><p><em>{nomination_words}</em></p>"
        "<p>You should be very proud. Thank you for showing everyone what young people in our borough can do.</p>",
    ),
    LetterVariant.BUSINESS_OR_GROUP: (
        "Dear friends at {display_name}",
        "<p>I am writing to thank everyone at {display_name}. You have been nominated for {campaign} in the category "
        "<strong>{category}</strong>, and this is what was said:</p><p><em>{nomination_words}</em></p>"
        "<p>Please pass on my thanks to everyone involved.</p>",
    ),
    LetterVariant.DECEASED: (
        "Dear family of {display_name}",
        "<p>I was so sorry to learn of the loss of {display_name}. {first_name} was nominated for {campaign}, "
        "and I wanted you to know what was said:</p><p><em>{nomination_words}</em></p>"
        "<p>I hope it is some comfort to know how much {first_name} meant to others. With my deepest sympathy.</p>",
    ),
}


def load(stdout=None) -> None:
    for variant, (salutation, body) in LETTERS.items():
        if not LetterTemplate.objects.filter(variant=variant).exists():
            services.letter_template_save(
                variant=variant,
                salutation=salutation,
                body=body,
                letterhead="The Mayor's Office",
                actor=None,
            )
    # Letters for the approved demo nominees, waiting for the Mayor's office to release them.
    services.letters_create_for_approved()
