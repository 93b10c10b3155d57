from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.start, name="start"),
    path("profile/", views.profile, name="profile"),
    path("profile/pause/", views.pause, name="pause"),
    path("profile/resume/", views.resume, name="resume"),
    path("profile/close/", views.close, name="close"),
    path("profile/reopen/", views.reopen, name="reopen"),
    path("profile/guardian-link/", views.guardian_resend, name="guardian_resend"),
    path("questions/<slug:slug>/", views.question, name="question"),
    path("check/", views.check, name="check"),
    path("too-young/", views.too_young, name="too_young"),
    path("guardian/<str:token>/", views.guardian, name="guardian"),
]
