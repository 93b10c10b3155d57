"""The organisation portal at /org/: a contact's own organisations, roles and referrals only."""

from django.urls import path

from volunteers import org_views as views

app_name = "org"

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("roles/new/", views.role_new, name="role_new"),
    path("roles/<int:pk>/", views.role_edit, name="role"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("referrals/<int:pk>/<slug:step>/", views.referral_step, name="referral_step"),
]
