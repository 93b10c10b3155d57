from django.urls import path

from recognition.social import staff_views as views

app_name = "social_staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("history/", views.history, name="history"),
    path("new/", views.start, name="start"),
    path("stories/<int:story_id>/", views.story, name="story"),
    path("posts/<int:pk>/", views.post, name="post"),
    path("posts/<int:pk>/edit/", views.edit, name="edit"),
    path("posts/<int:pk>/approve/", views.approve, name="approve"),
    path("posts/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("posts/<int:pk>/unschedule/", views.unschedule, name="unschedule"),
    path("posts/<int:pk>/retry/", views.retry, name="retry"),
    path("posts/<int:pk>/release/", views.release, name="release"),
    path("posts/<int:pk>/reconcile/", views.reconcile, name="reconcile"),
    path("posts/<int:pk>/removed/", views.removed_by_hand, name="removed_by_hand"),
    path("posts/<int:pk>/image/", views.image, name="image"),
    path("channels/", views.channels, name="channels"),
    path("channels/new/", views.channel_new, name="channel_new"),
    path("channels/<int:pk>/", views.channel, name="channel"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
]
