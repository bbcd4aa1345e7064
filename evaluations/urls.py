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
    path("vetoes/<int:pk>/evidence/", views.veto_evidence_file, name="veto-evidence-file"),
    path("proposals/", views.ProposalListView.as_view(), name="proposal-list"),
    path("proposals/<int:pk>/decide/", views.proposal_decide_view, name="proposal-decide"),
    path("rollups/", views.RollupListView.as_view(), name="rollup-list"),
    path("rollups/new/", views.RollupDraftCreateView.as_view(), name="rollup-create"),
    path("rollups/<int:pk>/", views.RollupDetailView.as_view(), name="rollup-detail"),
    path("rollups/<int:pk>/publish/", views.RollupPublishView.as_view(), name="rollup-publish"),
    path("rollups/<int:pk>/regenerate/", views.rollup_regenerate_view, name="rollup-regenerate"),
    path("rollups/<int:pk>/visit/", views.ObservationVisitView.as_view(), name="rollup-visit"),
    path("rollups/<int:pk>/xlsx/", views.RollupExcelView.as_view(), name="rollup-xlsx"),
    path("scorecards/<str:code>/<str:period>/", views.ScorecardView.as_view(), name="scorecard"),
]
