import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model

from council.models import Area
from council.roles import role_group

PASSWORD = "a-long-test-password-2026"
# The authenticator app's secret for staff made with authenticator=True.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.LazyAttribute(lambda user: user.email)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create:
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: tests on a flushed database have no groups from the migration.
            user.groups.set([role_group(role) for role in extracted])


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def authenticator(user, create, extracted, **kwargs):
        """StaffFactory(authenticator=True): the account has its authenticator app set up."""
        if create and extracted:
            TOTP.activate(user, TOTP_SECRET)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"Ward {n}")
    code = factory.Sequence(lambda n: f"E0500{n:04d}")
