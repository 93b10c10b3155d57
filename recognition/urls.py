from django.urls import path

from recognition import views

app_name = "recognition"

urlpatterns = [
    path("nominee/<str:token>/", views.nominee_page, name="nominee"),
    path("nominee/<str:token>/letter.pdf", views.nominee_letter, name="nominee_letter"),
    path("nominee/<str:token>/large-print/", views.nominee_large_print, name="nominee_large_print"),
    path("cards/<str:card>/", views.card_page, name="card_page"),
    path("cards/<str:card>/card.png", views.card_image, name="card_image"),
]
