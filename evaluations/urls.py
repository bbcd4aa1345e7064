from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("rollups/", views.RollupListView.as_view(), name="rollup-list"),
    path("rollups/<int:pk>/", views.RollupDetailView.as_view(), name="rollup-detail"),
    path("rollups/<int:pk>/xlsx/", views.RollupExcelView.as_view(), name="rollup-xlsx"),
]
