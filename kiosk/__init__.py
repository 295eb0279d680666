"""The touch kiosk (取号机): zone, then service, then the ticket on screen with its materials."""

from flask import Blueprint, render_template

bp = Blueprint(
    "kiosk", __name__, template_folder="templates", static_folder="static", static_url_path="/kiosk/static"
)


@bp.get("/kiosk")
def page() -> str:
    return render_template("kiosk/kiosk.html")
