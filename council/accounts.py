from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from council.services import email_queue


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
        user = request.user
        if not user.is_staff and (hasattr(user, "volunteer") or not user.groups.exists()):
            return reverse("volunteers:profile")
        return super().get_login_redirect_url(request)
