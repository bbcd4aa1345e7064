from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.NoticeListView.as_view(), name="list"),
    path("<int:pk>/read/", views.notice_read, name="read"),
    path("read-all/", views.notice_read_all, name="read-all"),
    path("settings/", views.PreferencesView.as_view(), name="settings"),
    path("robots/", views.RobotListView.as_view(), name="robot-list"),
    path("robots/new/", views.RobotCreateView.as_view(), name="robot-create"),
    path("robots/<int:pk>/edit/", views.RobotUpdateView.as_view(), name="robot-edit"),
]
