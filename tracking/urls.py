from django.urls import path

from . import views

app_name = "tracking"

urlpatterns = [
    path("", views.ItemListView.as_view(), name="list"),
    path("new/", views.RaiseView.as_view(), name="raise"),
    path("<int:pk>/", views.ItemDetailView.as_view(), name="detail"),
    path("<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("<int:pk>/reply/", views.ReplyView.as_view(), name="reply"),
    path("<int:pk>/handle/", views.HandleView.as_view(), name="handle"),
    path("<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path("<int:pk>/reopen/", views.ReopenView.as_view(), name="reopen"),
]
