"""Take the README's screenshots from a running demo site (``make run`` in another shell).

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Uses Debian's chromium through Playwright; writes docs/screenshots/*.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "demo-pass-2026"  # noqa: S105 - the published demo password

SHOTS = [
    # (file, user, path, viewport width)
    ("dashboard.png", "yinzhou_county", "/evaluations/dashboard/", 1280),
    ("alliance-list.png", "yinzhou_county", "/alliances/", 1280),
    ("alliance-detail.png", "yinzhou_county", "/alliances/?q=姜山共富", 1280),
    ("projects.png", "yinzhou_county", "/projects/", 1280),
    ("workshop-summary.png", "ningbo_city", "/workshops/summary/", 1280),
    ("monthly-bulletin.png", "yinzhou_county", "/evaluations/rollups/?kind=monthly_bulletin", 1280),
    ("leader-phone.png", "leader", "/projects/my-work/", 390),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, user, path, width in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{BASE}/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(BASE + path)
            if name == "alliance-detail.png":
                page.click("table.list tbody tr a")
            elif name == "monthly-bulletin.png":
                page.click("table.list tbody tr a")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name), full_page=False)
            page.close()
            print("wrote", OUT / name)
        browser.close()


if __name__ == "__main__":
    main()
