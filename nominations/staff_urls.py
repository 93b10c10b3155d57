from django.urls import path

from nominations import staff_views as views

app_name = "nominations_staff"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("decide/", views.bulk_decide, name="bulk_decide"),
    path("new/", views.enter, name="enter"),
    path("upload/", views.upload, name="upload"),
    path("upload/template.csv", views.upload_template, name="upload_template"),
    path("upload/<int:pk>/", views.upload_status, name="upload_status"),
    path("upload/<int:pk>/progress/", views.upload_progress, name="upload_progress"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/photo/", views.photo, name="photo"),
    path("<str:reference>/approve/", views.approve, name="approve"),
    path("<str:reference>/reject/", views.reject, name="reject"),
    path("<str:reference>/assign/", views.assign, name="assign"),
    path("<str:reference>/notes/", views.add_note, name="add_note"),
    path("<str:reference>/died/", views.mark_died, name="mark_died"),
    path("<str:reference>/family/", views.family_contact, name="family_contact"),
    path("<str:reference>/consent/", views.consent_resend, name="consent_resend"),
    path("<str:reference>/duplicates/<int:pair_id>/", views.merge, name="merge"),
    path("<str:reference>/merges/<int:merge_id>/undo/", views.undo_merge, name="undo_merge"),
]
