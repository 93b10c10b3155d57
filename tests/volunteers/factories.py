"""Volunteers, organisations, roles and referrals for tests, made straight in the database.

Volunteers here have finished their profile and wait in the coordinator's queue;
the sign-up journey itself is tested through its pages.
"""

from datetime import date, timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from council.roles import Role
from tests.council.factories import UserFactory
from volunteers.models import (
    Interest,
    Opportunity,
    Organisation,
    PostcodeCentroid,
    Skill,
    Volunteer,
    availability_mask,
)

# Two places about 3.3 km apart on the Tyne's south bank, and one about 20 km away.
HERE = (54.9966, -1.4300)
NEAR = (54.9700, -1.4000)
FAR = (54.8200, -1.5200)


def born_aged(years: int, *, today: date | None = None) -> date:
    """A birthday making someone exactly `years` old today (a day past their birthday)."""
    today = today or timezone.localdate()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - timedelta(days=1)


def skill(name: str) -> Skill:
    return Skill.objects.get_or_create(name=name, defaults={"slug": slugify(name)[:80]})[0]


def interest(name: str) -> Interest:
    return Interest.objects.get_or_create(name=name, defaults={"slug": slugify(name)[:80]})[0]


def centroid(postcode: str, place: tuple[float, float]) -> PostcodeCentroid:
    return PostcodeCentroid.objects.update_or_create(
        postcode=postcode, defaults={"latitude": place[0], "longitude": place[1]}
    )[0]


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    status = Volunteer.Status.AVAILABLE
    full_name = factory.Sequence(lambda n: f"Volunteer {n}")
    phone = "0191 000 0001"
    date_of_birth = factory.LazyFunction(lambda: born_aged(40))
    postcode = "NE33 2RL"
    latitude = HERE[0]
    longitude = HERE[1]
    travel_km = 10
    remote_only = False
    availability = factory.LazyFunction(
        lambda: availability_mask(["mon_morning", "wed_afternoon", "sat_morning"])
    )
    profile_completed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    waiting_since = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))

    @factory.post_generation
    def skills(volunteer, create, extracted, **kwargs):
        if create and extracted:
            volunteer.skills.set(extracted)

    @factory.post_generation
    def interests(volunteer, create, extracted, **kwargs):
        if create and extracted:
            volunteer.interests.set(extracted)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Community Group {n}")
    email = factory.Sequence(lambda n: f"group{n}@example.net")
    status = Organisation.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def contacts(organisation, create, extracted, **kwargs):
        if create and extracted:
            organisation.contacts.set(extracted)


def contact_for(organisation: Organisation, **kwargs):
    """A new account that is a contact of the organisation."""
    user = UserFactory(roles=[Role.ORGANISATION_CONTACT], **kwargs)
    organisation.contacts.add(user)
    return user


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Role {n}")
    description = "Helping out."
    availability = factory.LazyFunction(lambda: availability_mask(["mon_morning", "sat_morning"]))
    postcode = "NE34 0AA"
    latitude = NEAR[0]
    longitude = NEAR[1]
    remote = False
    minimum_age = 18
    youth_friendly = False
    capacity = 3
    check_level = Opportunity.CheckLevel.NONE
    status = Opportunity.Status.OPEN

    @factory.post_generation
    def skills(role, create, extracted, **kwargs):
        if create and extracted:
            role.skills.set(extracted)

    @factory.post_generation
    def interests(role, create, extracted, **kwargs):
        if create and extracted:
            role.interests.set(extracted)
