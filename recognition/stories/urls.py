from django.urls import path

from recognition.stories import views

app_name = "stories"

# "feed" comes before the story pattern, so no story may use "feed" as its address.
urlpatterns = [
    path("", views.story_list, name="list"),
    path("feed/", views.story_feed, name="feed"),
    path("<slug:slug>/", views.story_page, name="story"),
    path("<slug:slug>/press-pack.zip", views.story_press_pack, name="press_pack"),
]
