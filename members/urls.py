from django.urls import path

from . import login_views, views

app_name = "members"

urlpatterns = [
    path("organizations/", views.OrganizationListView.as_view(), name="organization-list"),
    path("organizations/new/", views.OrganizationCreateView.as_view(), name="organization-create"),
    path("organizations/<int:pk>/", views.OrganizationDetailView.as_view(), name="organization-detail"),
    path("organizations/<int:pk>/edit/", views.OrganizationUpdateView.as_view(), name="organization-edit"),
    path("people/new/", views.PersonCreateView.as_view(), name="person-create"),
    path("people/<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person-edit"),
    path("logins/", login_views.LoginListView.as_view(), name="login-list"),
    path("people/<int:pk>/login/", login_views.PersonLoginView.as_view(), name="person-login"),
    path("people/<int:pk>/login/new/", login_views.LoginCreateView.as_view(), name="login-create"),
    path("people/<int:pk>/login/password/", login_views.LoginPasswordResetView.as_view(), name="login-password"),
    path("people/<int:pk>/login/disable/", login_views.LoginDisableView.as_view(), name="login-disable"),
    path("regions/lookup/", views.region_lookup, name="region-lookup"),
    path("organizations/lookup/", views.organization_lookup, name="organization-lookup"),
    path("people/lookup/", views.person_lookup, name="person-lookup"),
    path("import/", views.ImportUploadView.as_view(), name="import"),
    path("import/<int:pk>/", views.ImportJobView.as_view(), name="import-job"),
    path("import/<int:pk>/status/", views.ImportJobStatusView.as_view(), name="import-job-status"),
    path("import/<int:pk>/confirm/", views.ImportJobConfirmView.as_view(), name="import-confirm"),
    path("import/<int:pk>/cancel/", views.ImportJobCancelView.as_view(), name="import-cancel"),
    path("departments/", views.DepartmentListView.as_view(), name="department-list"),
    path("departments/new/", views.DepartmentCreateView.as_view(), name="department-create"),
    path("departments/<int:pk>/", views.DepartmentDetailView.as_view(), name="department-detail"),
    path("departments/<int:pk>/edit/", views.DepartmentUpdateView.as_view(), name="department-edit"),
    path("departments/<int:pk>/retire/", views.DepartmentRetireView.as_view(), name="department-retire"),
    path("tokens/", views.ApiTokenListView.as_view(), name="token-list"),
    path("tokens/new/", views.ApiTokenCreateView.as_view(), name="token-create"),
    path("tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token-revoke"),
]
