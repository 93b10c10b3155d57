from allauth.account.adapter import DefaultAccountAdapter

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
