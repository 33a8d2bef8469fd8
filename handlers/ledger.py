"""Ledger rows for people and spreadsheets: masked, in the community's time, in fixed columns."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from handlers import texts
from handlers.privacy import mask
from storage import Event, Item

COLUMNS = ("id", "building", "room", "group", "category", "urgent", "status", "text",
           "reporter_id", "reporter_name", "assignees", "created_at", "updated_at",
           "resolved_at", "me_too")
HEADERS_ZH = ("编号", "楼栋", "房号", "楼道群", "类别", "紧急", "状态", "内容", "报告人ID",
              "报告人", "负责人", "登记时间", "更新时间", "处理时间", "同样反映")


def item_row(item: Item, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": item.id,
        "building": item.building,
        "room": item.room,
        "group": item.group,
        "category": item.category,
        "urgent": item.urgent,
        "status": item.status,
        "text": mask(item.text),
        "reporter_id": item.reporter_id,
        "reporter_name": item.reporter_name,
        "assignees": list(item.assignees),
        "created_at": item.created_at.astimezone(tz).isoformat(timespec="seconds"),
        "updated_at": item.updated_at.astimezone(tz).isoformat(timespec="seconds"),
        "resolved_at": item.resolved_at.astimezone(tz).isoformat(timespec="seconds")
        if item.resolved_at else None,
        "me_too": item.me_too,
    }


def _cell(key: str, value: Any) -> Any:
    if key == "assignees":
        return ",".join(value)
    if key == "category":
        return texts.CATEGORY_LABELS.get(value, value)
    if key == "status":
        return texts.STATUS_LABELS.get(value, value)
    if key == "urgent":
        return "是" if value else ""
    return "" if value is None else value


def _guard(value: Any) -> Any:
    # A cell starting with = + - @ is a formula to Excel: a resident's text must stay text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=1)


def to_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS_ZH)
    for r in rows:
        w.writerow([_guard(_cell(k, r[k])) for k in COLUMNS])
    return buf.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8


def to_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(HEADERS_ZH)
    for r in rows:
        ws.append([_guard(_cell(k, r[k])) for k in COLUMNS])
    for col, width in zip("ABCDEFGHIJKLMNO", (6, 6, 6, 20, 6, 5, 7, 40, 18, 10, 24, 20, 20, 20, 6),
                          strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_table(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "（没有符合条件的事项）"
    lines = []
    for r in rows:
        urgent = "🚨" if r["urgent"] else ""
        lines.append(
            f"#{r['id']} {r['building']} {r['room'] or '-'} {urgent}"
            f"{texts.CATEGORY_LABELS[r['category']]} {texts.STATUS_LABELS[r['status']]} "
            f"{r['created_at'][:16].replace('T', ' ')} {r['reporter_name']}：{r['text'][:40]}"
        )
    return "\n".join(lines)


def format_events(item: Item, events: Sequence[Event], tz: tzinfo) -> str:
    lines = [f"#{item.id} 的处理记录："]
    for e in events:
        move = f"{e.from_status or '-'} → {e.to_status or '-'}"
        detail = f" ({e.detail})" if e.detail else ""
        at = e.at.astimezone(tz).isoformat(timespec="seconds")
        lines.append(f"{at} {e.actor_id} {e.action} {move}{detail}")
    return "\n".join(lines)
