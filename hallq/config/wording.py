"""A problem in the hall's configuration in words a manager reads: "第 3 个事项「不动产登记」的开放时间 25:00
不是有效时间" rather than "services.2.hours.open: Input should be in a valid time format". Positions count
from 1; the field names are the ones the administration pages show.

Problems pydantic finds are worded by their error type; the cross-checks (an unknown service, two windows
with one number) keep their English message after the path in words.
"""

from __future__ import annotations

import re
from typing import Any

from hallq.config.tomlfile import Problem

COLLECTIONS = {"services": "事项", "zones": "分区", "windows": "窗口", "kiosks": "取号机"}
SECTIONS = {
    "hall": "大厅",
    "calendar": "工作日历",
    "ratings": "评价设置",
    "indicators": "评价指标",
    "province": "好差评上报",
    "ranking": "评比设置",
    "limits": "限制",
    "appointments": "预约",
    "voice": "语音播报",
    "bridge": "串口设备",
    "call_rule": "叫号规则",
    "alerts": "告警阈值",
    "ticket": "号票",
}
FIELDS = {
    "id": "编号",
    "name": "名称",
    "name_en": "英文名称",
    "prefix": "号码前缀",
    "zone": "所属分区",
    "materials": "一次性告知材料",
    "code": "事项编码",
    "longest_wait_s": "最长等候告警（秒）",
    "waiting_per_open_window": "每开放窗口等候人数告警",
    "paused_window_s": "窗口暂停告警（秒）",
    "open_minutes": "可评价时长（分钟）",
    "follow_up_working_days": "差评整改期限（工作日）",
    "satisfaction_weight": "满意度权重",
    "timeliness_weight": "及时率权重",
    "attendance_weight": "在岗率权重",
    "daily_cap": "每日放号量",
    "hours": "开放时间",
    "open": "开始时间",
    "close": "结束时间",
    "lunch": "午休",
    "enforce": "按时取号",
    "stop_issuing": "停止取号时间",
    "weekdays": "工作日",
    "holidays": "节假日",
    "extra_workdays": "调休上班日",
    "a_services": "A岗事项",
    "b_services": "B岗事项",
    "number": "窗口号",
    "label": "显示名称",
    "mean_service_s": "平均办理时长（秒）",
    "printer": "打印机",
    "timezone": "时区",
    "rule": "规则",
    "reasons": "差评原因",
    "department": "进驻部门",
    "department_code": "部门编码",
    "version": "版本",
    "content": "评价内容",
    "adapter": "上报方式",
    "url": "上报地址",
    "region_code": "行政区划代码",
    "green_channel": "绿色通道",
    "issuing_hours": "取号时段",
    "retiring": "停止取号待删除",
    "ask_identity": "限号身份",
    "tickets_per_person_per_day": "每人每日限号数",
}
WHAT = {
    "missing": "未填写",
    "extra_forbidden": "不是可用的设置项",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "{input} 格式不对",
    "time_parsing": "{input} 不是有效时间",
    "time_type": "{input} 不是有效时间",
    "date_parsing": "{input} 不是有效日期",
    "date_from_datetime_parsing": "{input} 不是有效日期",
    "int_parsing": "{input} 不是整数",
    "int_type": "{input} 不是整数",
    "float_parsing": "{input} 不是数字",
    "float_type": "{input} 不是数字",
    "bool_type": "须为 true 或 false",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than_equal": "须不大于 {le}",
    "less_than": "须小于 {lt}",
    "literal_error": "须为 {expected} 之一",
    "too_long": "最多 {max_length} 项",
    "list_type": "须为一个列表",
    "string_type": "须为文字",
    "dict_type": "须为一组设置",
}


#: the cross-checks' messages (config/hall.py: cross_check) in Chinese
CROSS = [
    (r"duplicate (\w+) (.+)", "{1} 重复"),
    (r'unknown zone "(.+)"', "分区 {0} 不存在"),
    (r'unknown service "(.+)"', "事项 {0} 不存在"),
    (r"already A services of this window: (.+)", "已是本窗口的A岗事项：{0}"),
    (r"a window needs at least one A or B service", "窗口至少要有一项A岗或B岗事项"),
    (r'no window serves "(.+)"', "没有窗口办理此事项，请在「窗口与AB岗」中指定"),
    (r"at least one weight must be above 0", "至少一项权重须大于 0"),
    (r"also listed as holidays: (.+)", "同时被列为节假日：{0}"),
    (r"closing time must come after opening time", "须晚于开始时间"),
    (r"lunch break must lie inside opening hours", "须在开放时间之内"),
    (r"must lie between opening and closing time", "须在开始与结束时间之间"),
    (
        r"issuing hours must lie inside the hall's opening hours, start before end",
        "须在大厅开放时间之内，且开始早于结束",
    ),
]


def in_words(path: str, document: dict[str, Any] | None) -> str:
    """services[2].hours.open -> 第 3 个事项「不动产登记」的开放时间的开始时间."""
    steps = re.findall(r"([A-Za-z_][\w-]*)|\[(\d+)\]", path)
    words: list[str] = []
    node: Any = document
    index = 0
    while index < len(steps):
        name, position = steps[index]
        if name and name in COLLECTIONS and index + 1 < len(steps) and steps[index + 1][1]:
            at = int(steps[index + 1][1])
            item = node.get(name, [None] * (at + 1))[at] if isinstance(node, dict) else None
            label = item.get("name") if isinstance(item, dict) else None
            words.append(f"第 {at + 1} 个{COLLECTIONS[name]}" + (f"「{label}」" if label else ""))
            node, index = item, index + 2
            continue
        if name:
            words.append(SECTIONS.get(name) or FIELDS.get(name) or COLLECTIONS.get(name) or name)
            node = node.get(name) if isinstance(node, dict) else None
        else:
            words.append(f"第 {int(position) + 1} 项")
            node = node[int(position)] if isinstance(node, list) and int(position) < len(node) else None
        index += 1
    return "的".join(words) or "整个配置"


def worded(problem: Problem, document: dict[str, Any] | None) -> dict[str, str]:
    """{"path", "message" (zh-CN first, then the English), "field"} for the API and the pages."""
    where = in_words(problem.path, document)
    english = f"{problem.path}: {problem.message}"
    if problem.kind is not None:
        kind, context, given = problem.kind
        template = WHAT.get(kind)
        if template is not None:
            values = {**context, "input": _shown(given)}
            return {"path": problem.path, "message": f"{where} {template.format(**values)} / {english}"}
    for pattern, chinese in CROSS:
        if found := re.fullmatch(pattern, problem.message):
            return {"path": problem.path, "message": f"{where} {chinese.format(*found.groups())} / {english}"}
    return {"path": problem.path, "message": f"{where}: {problem.message} / {english}"}


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return "…"
    return str(value)
