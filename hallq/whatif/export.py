"""Staffing advice as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX (openpyxl), headers zh-CN / en."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

COLUMNS = [
    ("zone", "分区", "Zone"),
    ("hour", "时段", "Hour"),
    ("arrivals_per_hour", "每小时取号", "Tickets per hour"),
    ("mean_visit_s", "平均办理(秒)", "Mean visit (s)"),
    ("windows", "建议开窗数", "Windows advised"),
    ("zone_windows", "本区窗口数", "Zone's windows"),
    ("p90_wait_s", "90%等候(秒)", "P90 wait (s)"),
    ("meets_target", "达标", "Meets target"),
]


def staffing_csv(advice: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{zh} / {en}" for _key, zh, en in COLUMNS])
    for row in advice["rows"]:
        writer.writerow([row[key] for key, *_ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def staffing_xlsx(advice: dict[str, Any], hall_name: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "排班建议 Staffing"
    sheet.append([f"{zh} / {en}" for _key, zh, en in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in advice["rows"]:
        sheet.append([row[key] for key, *_ in COLUMNS])
    sheet.freeze_panes = "C2"
    about = book.create_sheet("说明 About")
    for pair in (
        ("大厅 Hall", hall_name),
        ("星期 Weekday", advice["weekday"]),
        ("依据日期 Days", ", ".join(advice["days"])),
        ("目标 Target", f"90%等候不超过 {advice['target_p90_wait_s']:.0f} 秒 / P90 wait at most this"),
        ("方法 Method", "按小时模拟本区窗口; docs/manager.md 'What if' / simulated per zone and hour"),
    ):
        about.append(list(pair))
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
