"""The email provider's delivery-tracking webhook (anymail checks the secret and signature).

The receiver only stores the event; everything else happens on the worker.
"""

from anymail.signals import tracking
from django.dispatch import receiver

from council.services import delivery_event_record


@receiver(tracking, dispatch_uid="council.delivery_event_record")
def store_tracking_event(sender, event, esp_name, **kwargs):
    delivery_event_record(event=event, provider=esp_name.lower())
