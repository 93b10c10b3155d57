"""The volunteer coordinator's pages at /staff/volunteers/ (administrators too; not comms)."""

from django.urls import path

from volunteers import staff_views as views

app_name = "volunteers_staff"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("rematch/", views.rematch, name="rematch"),
    path("<int:pk>/", views.volunteer, name="volunteer"),
    path("<int:pk>/refer/", views.refer, name="refer"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("referrals/<int:pk>/<slug:step>/", views.referral_step, name="referral_step"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path(
        "organisations/<int:pk>/approve/", views.organisation_approve, name="organisation_approve"
    ),
    path(
        "organisations/<int:pk>/suspend/", views.organisation_suspend, name="organisation_suspend"
    ),
    path(
        "organisations/<int:pk>/contacts/",
        views.organisation_contacts,
        name="organisation_contacts",
    ),
    path("check-ins/", views.check_ins, name="check_ins"),
]
