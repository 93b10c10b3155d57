from django.urls import path

from recognition.stories import staff_views as views

app_name = "stories_staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.start, name="start"),
    path("held/", views.held, name="held"),
    path("held/publish/", views.release_all, name="release_all"),
    path("pause/", views.pause, name="pause"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/image/", views.image, name="image"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/return/", views.return_to_draft, name="return_to_draft"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/unschedule/", views.unschedule, name="unschedule"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/take-down/", views.take_down, name="take_down"),
    path("<int:pk>/revisions/", views.revisions, name="revisions"),
    path("<int:pk>/revisions/compare/", views.compare, name="compare"),
    path("<int:pk>/revisions/<int:number>/restore/", views.restore, name="restore"),
]
