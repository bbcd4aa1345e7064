from django.urls import path

from . import views

app_name = "workshops"

urlpatterns = [
    path("", views.WorkshopListView.as_view(), name="list"),
    path("new/", views.WorkshopCreateView.as_view(), name="create"),
    path("summary/", views.WorkshopSummaryView.as_view(), name="summary"),
    path("<int:pk>/", views.WorkshopDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.WorkshopUpdateView.as_view(), name="edit"),
    path("<int:pk>/reports/new/", views.ReportCreateView.as_view(), name="report-create"),
    path("reports/<int:pk>/edit/", views.ReportUpdateView.as_view(), name="report-edit"),
]
