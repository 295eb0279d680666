"""The demo hall: accounts and device tokens ready to use, and the text `hallq demo` prints."""

from __future__ import annotations

from flask import Flask

from hallq.accounts import create_token, ensure_user
from hallq.context import HallContext

DEMO_PASSWORD = "hallq-demo"


def prepare_demo(app: Flask, base_url: str) -> str:
    ctx: HallContext = app.extensions["hallq"]
    now = ctx.now()
    clerks = []
    for window in ctx.config.windows:
        username = f"clerk{window.number:02d}"
        ensure_user(ctx.store, username, DEMO_PASSWORD, "clerk", now, f"{window.number}号窗口工作人员")
        clerks.append(username)
    ensure_user(ctx.store, "manager", DEMO_PASSWORD, "manager", now, "大厅管理员")
    ensure_user(ctx.store, "admin", DEMO_PASSWORD, "admin", now, "系统管理员")
    kiosk = create_token(ctx.store, "kiosk", now, name="demo-kiosk-1")
    display = create_token(ctx.store, "display", now, name="demo-display")
    bridge = create_token(ctx.store, "bridge", now, name="demo-bridge")
    lines = [
        "",
        f"  hallq demo hall: {ctx.config.hall.name} ({ctx.config.hall.name_en})",
        f"  data: {ctx.store.url}",
        "  opening hours are not enforced in the demo, so tickets can be taken at any hour",
        "",
        f"  Kiosk (取号机)         {base_url}/kiosk?kiosk=K1&token={kiosk}",
        f"  Hall display (显示屏)   {base_url}/display?token={display}",
        f"  Window caller (呼叫)    {base_url}/caller",
        f"      logins: {clerks[0]} … {clerks[-1]} (one per window), password {DEMO_PASSWORD}",
        f"  Manager accounts       manager / {DEMO_PASSWORD}, admin / {DEMO_PASSWORD} (API only for now)",
        f"  Bridge token           {bridge}",
        f"  API                    {base_url}/api/v1/openapi.json",
        "",
        "  Not in the demo yet: a simulated ticket printer and serial devices.",
        "  Press Ctrl+C to stop.",
        "",
    ]
    return "\n".join(lines)
