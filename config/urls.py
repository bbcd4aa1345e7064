from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from members import signin
from members import views as member_views

urlpatterns = [
    path("", member_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/login/code/", signin.CodeLoginView.as_view(), name="login-code"),
    path("accounts/password/reset/", signin.PasswordResetCodeView.as_view(), name="password-reset"),
    path("accounts/password/reset/new/", signin.PasswordResetNewView.as_view(), name="password-reset-new"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("members/", include("members.urls")),
    path("notices/", include("notices.urls")),
    path("alliances/", include("alliances.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("workshops/", include("workshops.urls")),
    path("projects/", include("projects.urls")),
    path("items/", include("tracking.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "members.views.not_found"
handler500 = "members.views.server_error"

# Uploaded files have no public URL, in any mode: each is served by a view of its app that
# checks who may see its record (core.uploads.serve_file).
