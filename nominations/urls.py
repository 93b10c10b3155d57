from django.urls import path

from nominations import views

app_name = "nominations"

urlpatterns = [
    path("nominate/", views.start, name="start"),
    path("nominate/check/", views.check, name="check"),
    path("nominate/sent/", views.sent, name="sent"),
    path("nominate/resend/", views.resend, name="resend"),
    path("nominate/confirm/<str:token>/", views.confirm, name="confirm"),
    path("nominate/<slug:slug>/", views.question, name="question"),
    path("consent/", views.consent_code, name="consent_code"),
    path("consent/answer/", views.consent_answer, name="consent_answer"),
    path("consent/<str:token>/", views.consent, name="consent"),
]
