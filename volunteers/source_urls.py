from django.urls import path

from volunteers import source_views

app_name = "sources"

urlpatterns = [
    # Printed on leaflets, posters and vehicle panels, and in their QR codes.
    path("v/<slug:code>", source_views.visit, name="visit"),
    # The same, for anyone who types a slash at the end.
    path("v/<slug:code>/", source_views.visit, name="visit_with_slash"),
]
