"""The demo data set: ``manage.py seed_demo`` and the modules it runs, one per domain.

Installed by the local and test settings only (``config/settings/local.py``,
``config/settings/test.py``); production does not install it, so a production site has no
``seed_demo`` command and no demo password in its code. Nothing in the production apps
imports it (the import-linter contract in ``pyproject.toml`` keeps it on top).
"""
