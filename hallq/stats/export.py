"""A report as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX (openpyxl), headers in zh-CN and en."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

#: (key, zh-CN, en, kind): kind formats the XLSX cell (count, seconds, share)
COLUMNS: list[tuple[str, str, str, str]] = [
    ("label", "分组", "Group", "text"),
    ("tickets", "取号数", "Tickets", "count"),
    ("served", "办结数", "Served", "count"),
    ("no_show", "过号数", "No-shows", "count"),
    ("no_show_rate", "过号率", "No-show rate", "share"),
    ("mean_wait_s", "平均等候(秒)", "Mean wait (s)", "seconds"),
    ("median_wait_s", "等候中位数(秒)", "Median wait (s)", "seconds"),
    ("p90_wait_s", "90%等候(秒)", "P90 wait (s)", "seconds"),
    ("mean_service_s", "平均办理(秒)", "Mean service (s)", "seconds"),
    ("idle_share", "空闲占比", "Idle share", "share"),
    ("rated", "评价数", "Rated", "count"),
    ("unrated", "未评价", "Unrated", "count"),
    ("level_5", "非常满意", "Very satisfied", "count"),
    ("level_4", "满意", "Satisfied", "count"),
    ("level_3", "基本满意", "Fairly satisfied", "count"),
    ("level_2", "不满意", "Dissatisfied", "count"),
    ("level_1", "非常不满意", "Very dissatisfied", "count"),
    ("satisfaction_rate", "满意率", "Satisfaction rate", "share"),
    ("bad_ratings", "差评数", "Bad ratings", "count"),
    ("rating_rate", "评价率", "Rated share", "share"),
    ("excluded", "申诉成立", "Appeals upheld", "count"),
]
GROUP_NAMES = {
    "zone": ("分区", "zone"),
    "service": ("事项", "service"),
    "window": ("窗口", "window"),
    "clerk": ("工作人员", "clerk"),
    "hour": ("时段", "hour"),
    "day": ("日期", "day"),
}


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, **{f"level_{level}": count for level, count in row["ratings"].items()}}


def _lines(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [_flat(row) for row in report["rows"]] + [_flat(report["total"])]


def filename(report: dict[str, Any], extension: str) -> str:
    return f"hallq-{report['group_by']}-{report['from']}-{report['to']}.{extension}"


def to_csv(report: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{zh} / {en}" for _key, zh, en, _kind in COLUMNS])
    for line in _lines(report):
        writer.writerow(["" if line.get(key) is None else line[key] for key, *_ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: dict[str, Any], hall_name: str, generated_at: datetime) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    group_zh, group_en = GROUP_NAMES[report["group_by"]]
    sheet.title = f"按{group_zh} by {group_en}"
    sheet.append([f"{zh} / {en}" for _key, zh, en, _kind in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    formats = {"share": "0.0%", "seconds": "0", "count": "0", "text": "@"}
    for line in _lines(report):
        sheet.append([line.get(key) for key, *_ in COLUMNS])
        for cell, (_key, _zh, _en, kind) in zip(sheet[sheet.max_row], COLUMNS, strict=True):
            cell.number_format = formats[kind]
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 24
    about = book.create_sheet("说明 About")
    for pair in (
        ("大厅 Hall", hall_name),
        ("日期 From", report["from"]),
        ("至 To", report["to"]),
        ("时区 Time zone", report["timezone"]),
        ("生成时间 Generated", generated_at.isoformat(timespec="seconds")),
        ("满意率 Satisfaction rate", "(非常满意+满意+基本满意) / 评价数; unrated visits are never counted"),
        ("过号率 No-show rate", "过号数 / (办结数 + 过号数)"),
        ("等候 Wait", "取号到首次叫号 / issue to first call; median and P90 by nearest rank"),
        ("空闲占比 Idle share", "(开窗时间 - 叫号到办结时间) / 开窗时间, windows and clerks only"),
    ):
        about.append(list(pair))
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
