"""The touch kiosk (取号机): zone, then service, then the ticket on screen with its materials."""

from flask import Blueprint, render_template

bp = Blueprint(
    "kiosk", __name__, template_folder="templates", static_folder="static", static_url_path="/kiosk/static"
)


@bp.get("/kiosk")
def page() -> str:
    return render_template("kiosk/kiosk.html")


@bp.get("/t/<status_token>")
def status_page(status_token: str) -> str:
    """The citizen's ticket on their phone: position, estimate, and the window once called."""
    return render_template("kiosk/status.html", status_token=status_token)
