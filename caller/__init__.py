"""The window's pages: the clerk's web caller (呼叫器) and the rating tablet facing the citizen (评价器)."""

from flask import Blueprint, render_template

from caller import texts
from hallq.operations.errors import NotFound
from hallq.operations.snapshots import rating_content
from hallq.web.i18n import page_texts
from hallq.web.runtime import hall_context

bp = Blueprint(
    "caller", __name__, template_folder="templates", static_folder="static", static_url_path="/caller/static"
)


@bp.get("/caller")
def page() -> str:
    return render_template("caller/caller.html", texts=page_texts(texts.CALLER))


@bp.get("/evaluate/<window_id>")
def evaluate(window_id: str) -> str:
    """A tablet at the window (an evaluator token bound to it): rates each visit as the clerk finishes it."""
    ctx = hall_context()
    window = ctx.config.window_by_id.get(window_id)
    if window is None:
        raise NotFound("unknown_window", f"未知窗口 / Unknown window {window_id!r}")
    return render_template(
        "caller/evaluate.html",
        window=window,
        content=rating_content(ctx),
        timeout_s=ctx.config.bridge.rating_timeout_s,
        texts=page_texts(texts.EVALUATE),
    )
