from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from council.roles import STAFF_ROLES, Role
from council.services import email_queue

ORGANISATION_HOME = "org:home"


class AccountAdapter(DefaultAccountAdapter):
    """Account emails (verification, password reset) go through the outbox like every other."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html = ""
        if getattr(message, "content_subtype", "plain") == "html":
            html, text = message.body, ""
        else:
            text = message.body
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    html = content
        email_queue(
            to=message.to,
            subject=message.subject,
            body_text=text,
            body_html=html,
            from_email=message.from_email,
            tags=["account"],
        )

    def get_login_redirect_url(self, request):
        # Accounts that are not staff and hold no role are volunteers' (organisation
        # contacts hold a role): they land on their own profile page, which leads a new
        # volunteer into its questions. A `next` in the sign-in link still wins.
        # Staff land on their dashboard of what waits for them, an organisation's
        # contact on their organisation's page.
        user = request.user
        if not user.is_staff and (hasattr(user, "volunteer") or not user.groups.exists()):
            return reverse("volunteers:profile")
        if user.is_staff or user.groups.filter(name__in=STAFF_ROLES).exists():
            return reverse("staff_dashboard")
        if user.groups.filter(name=Role.ORGANISATION_CONTACT).exists():
            return reverse(ORGANISATION_HOME)
        return super().get_login_redirect_url(request)
