from datetime import timedelta

import factory
from django.utils import timezone

from nominations.models import Campaign, Category


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Proud to Support {2026 + n}")
    slug = factory.Sequence(lambda n: f"proud-{n}")
    intro = "Tell us about someone who made a difference."
    thank_you_text = "Thank you for telling us about them."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
