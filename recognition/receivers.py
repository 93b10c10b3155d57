"""Letters follow changes to their nominee (nominations.signals.nominee_changed).

Sent inside the nominations services' transactions, so a letter waiting to go
is re-routed in the same transaction as the change: a nominee marked as having
died, or their family's details added, is written to at the family's address.
"""

from django.dispatch import receiver

from nominations.signals import nominee_changed
from recognition import services


@receiver(nominee_changed, dispatch_uid="recognition.letters_follow_their_nominee")
def letters_follow_their_nominee(sender, nominee_ids, **kwargs) -> None:
    services.letters_refresh(nominee_ids=nominee_ids)
