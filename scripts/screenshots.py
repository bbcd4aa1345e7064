"""Take the README's screenshots from a running demo site (``make run`` in another shell).

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000 [FILE.png ...]]

Uses Debian's chromium through Playwright; writes docs/screenshots/*.png (the viewport
only, so each file stays small). The rollup draft shot drafts this month's bulletin of
鄞州区 if it is not there yet: run it against demo data, never a real database.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from playwright.sync_api import Page, sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
ONLY = set(sys.argv[2:])  # file names to take again; all of them when none is given
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The published demo password, from the demo's data (the demo app is not installed by production).
PASSWORD = json.loads((ROOT / "demo" / "data" / "members.json").read_text(encoding="utf-8"))["passwords"]["demo"]
COUNTY = "330212000000"  # 鄞州区, the demo's county


def first_link(selector: str) -> Callable[[Page], None]:
    def step(page: Page) -> None:
        page.click(selector)

    return step


def open_county_bulletin(page: Page) -> None:
    """鄞州区's latest published monthly bulletin (not the city's, not a draft)."""
    row = page.locator("table.list tbody tr").filter(has_text="鄞州区").filter(has_not_text="草稿").first
    row.locator("a").first.click()
    page.wait_for_load_state("networkidle")


def open_bulletin(page: Page) -> None:
    """The bulletin's figures with their definitions (统计口径) unfolded below them."""
    open_county_bulletin(page)
    page.eval_on_selector("details#legend-summary", "details => { details.open = true; }")
    page.evaluate("document.querySelector('.page-head').scrollIntoView({block: 'start'})")


def open_scorecard(page: Page) -> None:
    """An alliance's scorecard, reached from a total in the bulletin's ranking."""
    open_county_bulletin(page)
    page.click("a[href*='/evaluations/scorecards/']")


def draft_rollup(page: Page) -> None:
    """Draft a bulletin by hand and show what is missing before it is published."""
    page.select_option("select[name=kind]", "monthly_bulletin")
    page.fill("input[name=period]", datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m"))
    page.fill("input[name=region]", "鄞州区")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelector('.page-head').scrollIntoView({block: 'start'})")


def type_region(page: Page) -> None:
    """The region type-ahead of the alliance filters, with a few letters typed."""
    page.eval_on_selector("details.filters", "details => { details.open = true; }")
    box = page.locator("input[data-region-lookup]").first
    box.click()
    box.type("jsz", delay=80)
    page.wait_for_timeout(800)


def sample_photo() -> bytes:
    image = Image.new("RGB", (800, 600), (74, 128, 86))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 800, 600), fill=(142, 112, 70))
    draw.ellipse((560, 60, 700, 200), fill=(246, 214, 120))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def report_with_photo(page: Page) -> None:
    """A leader's weekly report form on a phone, one photo chosen and previewed."""
    page.click("a[href$='/report/']")
    page.wait_for_load_state("networkidle")
    page.locator("form[novalidate] textarea").first.fill("路灯基础全部浇筑完成，本周开始立杆和布线。")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": sample_photo()}],
    )
    page.wait_for_selector("#upload-preview li")
    page.wait_for_timeout(500)
    page.evaluate("document.querySelector('#upload-preview').scrollIntoView({block: 'end'})")


SHOTS: list[tuple[str, str, str, int, Callable[[Page], None] | None]] = [
    # (file, user, path, viewport width, what to do on the page before the shot)
    ("dashboard.png", "yinzhou_county", "/evaluations/dashboard/", 1280, None),
    ("alliance-list.png", "yinzhou_county", "/alliances/", 1280, None),
    ("alliance-detail.png", "yinzhou_county", "/alliances/?q=姜山共富", 1280, first_link("table.list tbody tr a")),
    ("projects.png", "yinzhou_county", "/projects/", 1280, None),
    ("workshop-summary.png", "ningbo_city", "/workshops/summary/", 1280, None),
    ("monthly-bulletin.png", "yinzhou_county", "/evaluations/rollups/?kind=monthly_bulletin", 1280, open_bulletin),
    ("scorecard.png", "yinzhou_county", "/evaluations/rollups/?kind=monthly_bulletin", 1280, open_scorecard),
    ("rollup-draft.png", "yinzhou_county", "/evaluations/rollups/new/", 1280, draft_rollup),
    ("proposals.png", "yinzhou_county", "/evaluations/proposals/", 1280, None),
    ("region-typeahead.png", "yinzhou_county", "/alliances/", 1280, type_region),
    ("leader-phone.png", "leader", "/projects/my-work/", 390, None),
    ("leader-report-phone.png", "leader", "/projects/my-work/", 390, report_with_photo),
    ("notices-phone.png", "leader", "/notices/", 390, None),
    ("tracked-items.png", "yinzhou_county", "/items/", 1280, None),
    ("tracked-item-phone.png", "nongye_liaison", "/items/", 390, first_link("table.list tbody tr a")),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, user, path, width, prepare in SHOTS:
            if ONLY and name not in ONLY:
                continue
            phone = width < 600
            context = browser.new_context(
                viewport={"width": width, "height": 844 if phone else 900},
                device_scale_factor=2 if phone else 1,
                is_mobile=phone,
                has_touch=phone,
                locale="zh-CN",
            )
            page = context.new_page()
            page.goto(f"{BASE}/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(BASE + path)
            page.wait_for_load_state("networkidle")
            if prepare:
                prepare(page)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name), full_page=False, type="png")
            print("wrote", OUT / name, page.url)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
