from django.urls import path

from volunteers import source_views

app_name = "sources_staff"

urlpatterns = [
    path("", source_views.index, name="index"),
    path("new/", source_views.create, name="create"),
    path("<int:pk>/qr.svg", source_views.qr_svg, name="qr_svg"),
    path("<int:pk>/qr.png", source_views.qr_png, name="qr_png"),
    path("<int:pk>/active/", source_views.set_active, name="set_active"),
]
