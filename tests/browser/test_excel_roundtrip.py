from __future__ import annotations

import datetime
import re

import pytest

from tests.alliances.factories import MembershipFactory
from tests.browser.conftest import ARTIFACTS, log_in
from tests.core.factories import sheet_rows, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_export_the_alliance_list_and_import_it_back_with_no_change(page, live_server, world, tmp_path):
    MembershipFactory(
        alliance=world.alliance_a2, organization__region=world.village_a, left_on=datetime.date(2025, 1, 31)
    )
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/alliances/?status=active")
    with page.expect_download() as download_info:
        page.click("a[data-export]")
    download = download_info.value
    assert download.suggested_filename.startswith("alliances-") and download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    assert sorted(row["联盟编号"] for row in sheet_rows(data, "党建联盟")) == ["LM-A-1", "LM-A-2"]
    assert len(sheet_rows(data, "联盟成员")) == 2

    before = snapshot()
    page.click("text=导入 Excel")
    page.set_input_files("input[name=file]", str(path))
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/members/import/\d+/$", page.url)  # the job, checked inline (no broker)
    verdict = page.locator("#verdict").inner_text()
    assert verdict.startswith("无变化") and "4 行" in verdict
    assert page.locator("tr.row-error").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)

    page.click("#confirm-import")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{live_server.url}/alliances/")
    assert "导入完成：新增 0 行，更新 0 行，无变化 4 行。" in page.locator(".messages").inner_text()
    assert snapshot() == before
