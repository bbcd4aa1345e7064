"""The site's URLs plus the bare floor views (benchmarks only; never in the deployed site)."""

from config.urls import urlpatterns as site

from .bare import urlpatterns as floor

urlpatterns = floor + site
