"""Retention check-ins at /check-in/: signed one-click links, no account needed."""

from django.urls import path

from volunteers import check_in_views as views

app_name = "check_in"

urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
]
