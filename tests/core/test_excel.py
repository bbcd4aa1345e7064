from __future__ import annotations

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from core.excel import workbook_bytes


def test_formulas_are_escaped_and_codes_stay_text():
    data = workbook_bytes(
        [
            (
                "联盟",
                ["编号", "名称", "电话", "金额", "日期"],
                [
                    [
                        "330212001001",
                        '=HYPERLINK("http://x")',
                        "013812345678",
                        Decimal("12.50"),
                        datetime.date(2026, 1, 2),
                    ],
                    ["+1", "-2", "@SUM(A1)", 3, None],
                ],
            )
        ]
    )
    sheet = load_workbook(io.BytesIO(data))["联盟"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("编号", "名称", "电话", "金额", "日期")
    assert rows[1][0] == "330212001001" and sheet["A2"].data_type == "s"
    assert rows[1][1] == '\'=HYPERLINK("http://x")' and sheet["B2"].data_type == "s"
    assert rows[1][2] == "013812345678"
    assert rows[1][3] == 12.5
    assert rows[2][:3] == ("'+1", "'-2", "'@SUM(A1)")
