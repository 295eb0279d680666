"""The hall display board (综合屏): current calls per window, the last calls, waiting per zone, voice."""

from flask import Blueprint, render_template

from display_board import texts
from hallq.web.i18n import page_texts

bp = Blueprint(
    "display_board",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/display/static",
)


@bp.get("/display")
def page() -> str:
    return render_template("display_board/display.html", texts=page_texts(texts.DISPLAY))
