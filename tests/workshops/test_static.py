"""The chart library is vendored with its licence and survives production's collectstatic."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

STATIC = Path(settings.BASE_DIR) / "static"


def test_chartjs_is_vendored_with_its_licence_and_version_noted():
    library = (STATIC / "vendor/chartjs/chart.umd.min.js").read_text()
    version = re.search(r"Chart\.js v(\d+\.\d+\.\d+)", library).group(1)
    assert "MIT License" in (STATIC / "vendor/chartjs/LICENSE.md").read_text()
    assert f"| {version} |" in (STATIC / "vendor/README.md").read_text()
    assert "sourceMappingURL" not in library  # the map is not shipped; see static/vendor/README.md


def test_production_collectstatic_hashes_the_chart_files(tmp_path, settings):
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/chartjs/chart.umd.min.js", "js/charts.js", "css/charts.css", "css/workshops.css"):
        assert (tmp_path / paths[name]).exists(), name


def test_no_inline_scripts_or_handlers_in_the_workshop_templates():
    templates = Path(settings.BASE_DIR) / "templates"
    for path in [*templates.glob("workshops/**/*.html"), *templates.glob("includes/chart*.html")]:
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+=", text), path
