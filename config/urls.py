from allauth.account.decorators import secure_admin_login
from anymail import urls as anymail_urls
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from council import views as council_views

# The admin signs in through allauth, so its MFA step applies there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Proud to Support administration"
admin.site.site_title = "Proud to Support administration"

urlpatterns = [
    path("", council_views.home, name="home"),
    path("accessibility/", council_views.accessibility, name="accessibility"),
    path("privacy/", council_views.privacy, name="privacy"),
    path("brand.css", council_views.brand_css, name="brand_css"),
    # Browsers ask for /favicon.ico on pages that name no icon (the Django admin's).
    path("favicon.ico", council_views.favicon, name="favicon"),
    path("healthz", council_views.healthz, name="healthz"),
    path("staff/", council_views.staff_dashboard_view, name="staff_dashboard"),
    path("staff/nominations/", include("nominations.staff_urls")),
    path("staff/letters/", include("recognition.staff_urls")),
    path("staff/stories/", include("recognition.stories.staff_urls")),
    path("staff/heroes/", include("recognition.honours.staff_urls")),
    path("staff/social/", include("recognition.social.staff_urls")),
    path("staff/volunteers/sources/", include("volunteers.source_staff_urls")),
    path("staff/volunteers/", include("volunteers.staff_urls")),
    path("volunteer/", include("volunteers.urls")),
    path("org/", include("volunteers.org_urls")),
    path("check-in/", include("volunteers.check_in_urls")),
    path("stories/", include("recognition.stories.urls")),
    path("heroes/", include("recognition.honours.urls")),
    path("", include("nominations.urls")),
    path("", include("recognition.urls")),
    path("", include("volunteers.source_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # Delivery events from the email provider; only with a secret, never open to anyone.
    # Tracking only: the platform takes no inbound email.
    tracking = [
        pattern
        for pattern in anymail_urls.urlpatterns
        if pattern.name.endswith("_tracking_webhook")
    ]
    urlpatterns += [path("anymail/", include((tracking, "anymail")))]

if settings.DEBUG or settings.SERVE_MEDIA:
    # Uploaded files in development; production serves them from object storage.
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

handler400 = "council.views.bad_request"
handler403 = "council.views.permission_denied"
handler404 = "council.views.page_not_found"
handler500 = "council.views.server_error"
