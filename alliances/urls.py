from django.urls import path

from . import views

app_name = "alliances"

urlpatterns = [
    path("", views.AllianceListView.as_view(), name="list"),
    path("new/", views.AllianceCreateView.as_view(), name="create"),
    path("<int:pk>/", views.AllianceDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.AllianceUpdateView.as_view(), name="edit"),
    path("<int:pk>/members/add/", views.MembershipAddView.as_view(), name="membership-add"),
    path("<int:pk>/members/<int:membership_pk>/end/", views.MembershipEndView.as_view(), name="membership-end"),
    path("<int:pk>/team/assign/", views.TeamRoleAssignView.as_view(), name="teamrole-assign"),
    path("<int:pk>/team/<int:role_pk>/end/", views.TeamRoleEndView.as_view(), name="teamrole-end"),
]
