from django.urls import path

from recognition import staff_views as views

app_name = "letters"

urlpatterns = [
    path("", views.index, name="index"),
    path("preview/", views.preview, name="preview"),
    path("release/", views.release, name="release"),
    path("<slug:variant>/", views.edit, name="edit"),
]
