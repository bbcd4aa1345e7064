from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("new/", views.ProjectCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="edit"),
    path("<int:pk>/status/", views.ProjectStatusView.as_view(), name="status"),
    path("<int:pk>/milestones/add/", views.MilestoneCreateView.as_view(), name="milestone-add"),
    path("<int:pk>/milestones/<int:milestone_pk>/edit/", views.MilestoneUpdateView.as_view(), name="milestone-edit"),
    path("<int:pk>/report/", views.ReportSubmitView.as_view(), name="report-submit"),
    path("my-work/", views.MyWorkView.as_view(), name="my-work"),
    path("reports/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("reports/accept/", views.ReviewAcceptSelectedView.as_view(), name="review-accept"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/fix/", views.ReportFixView.as_view(), name="report-fix"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
]
