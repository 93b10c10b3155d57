from django.urls import path

from recognition.honours import views

app_name = "honours"

urlpatterns = [
    path("", views.index, name="index"),
]
