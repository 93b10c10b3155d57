from django.urls import path

from recognition import staff_views as views

app_name = "letters"

urlpatterns = [
    path("", views.index, name="index"),
    path("preview/", views.preview, name="preview"),
    path("release/", views.release, name="release"),
    path("batches/", views.batches, name="batches"),
    path("large-print/", views.large_print, name="large_print"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("batches/<int:pk>/letters.pdf", views.batch_download, {"kind": "pdf"}, name="batch_pdf"),
    path("batches/<int:pk>/addresses.csv", views.batch_download, {"kind": "csv"}, name="batch_csv"),
    path("batches/<int:pk>/posted/", views.batch_posted, name="batch_posted"),
    path("<slug:variant>/", views.edit, name="edit"),
]
