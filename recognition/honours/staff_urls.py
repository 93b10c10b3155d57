from django.urls import path

from recognition.honours import staff_views as views

app_name = "honours_staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.entry, name="entry"),
    path("<int:pk>/withdraw-approval/", views.withdraw_approval, name="withdraw_approval"),
]
