from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("scores/new/", views.ManualScoreCreateView.as_view(), name="score-create"),
    path("scores/<int:pk>/evidence/", views.evidence_file, name="evidence-file"),
    path("vetoes/", views.VetoListView.as_view(), name="veto-list"),
    path("vetoes/new/", views.VetoCreateView.as_view(), name="veto-create"),
    path("vetoes/<int:pk>/confirm/", views.veto_confirm_view, name="veto-confirm"),
    path("rollups/", views.RollupListView.as_view(), name="rollup-list"),
    path("rollups/<int:pk>/", views.RollupDetailView.as_view(), name="rollup-detail"),
    path("rollups/<int:pk>/visit/", views.ObservationVisitView.as_view(), name="rollup-visit"),
    path("rollups/<int:pk>/xlsx/", views.RollupExcelView.as_view(), name="rollup-xlsx"),
    path("scorecards/<str:code>/<str:period>/", views.ScorecardView.as_view(), name="scorecard"),
]
