"""The touch kiosk (取号机): zone, then service, then the ticket on screen with its materials."""

import qrcode
from flask import Blueprint, Response, render_template, request
from qrcode.image.svg import SvgPathImage

from hallq.operations.errors import HallqError, NotFound
from hallq.operations.printing import status_address, ticket_print
from hallq.operations.snapshots import ticket_id_for_token
from hallq.printing.layout import PAPERS, FontMissing, Layout, TicketPrint, png_bytes
from hallq.web.i18n import page_texts
from hallq.web.runtime import cpu, hall_context
from kiosk import texts

bp = Blueprint(
    "kiosk", __name__, template_folder="templates", static_folder="static", static_url_path="/kiosk/static"
)


@bp.get("/kiosk")
def page() -> str:
    return render_template("kiosk/kiosk.html", texts=page_texts(texts.KIOSK))


@bp.get("/t/<status_token>")
def status_page(status_token: str) -> str:
    """The citizen's ticket on their phone: position, estimate, and the window once called."""
    return render_template("kiosk/status.html", status_token=status_token, texts=page_texts(texts.STATUS))


@bp.get("/t/<status_token>/qr.svg")
def status_qr(status_token: str) -> Response:
    """The QR code of the ticket's status page, for the kiosk screen: a phone scans it off the glass."""
    ctx = hall_context()
    if ticket_id_for_token(ctx, status_token) is None:
        raise NotFound("unknown_ticket", "没有这张票 / No such ticket")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(status_address(ctx, f"{ctx.config.mount}/t/{status_token}", request.host_url))
    svg = code.make_image(image_factory=SvgPathImage).to_string(encoding="unicode")
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.get("/t/<status_token>/ticket.png")
def ticket_png(status_token: str) -> Response:
    """The ticket as it prints (?paper=80|58): on the kiosk screen when paper fails, and for the citizen."""
    ctx = hall_context()
    ticket_id = ticket_id_for_token(ctx, status_token)
    if ticket_id is None:
        raise NotFound("unknown_ticket", "没有这张票 / No such ticket")
    paper = request.args.get("paper", "80")
    if paper not in ("80", "58"):
        raise HallqError("bad_paper", "paper: 80 or 58", 400)
    settings = ctx.config.hall.ticket
    try:
        layout = Layout(PAPERS[int(paper)], settings.font, settings.max_materials)
        # drawing takes ~30 ms of CPU: off the event loop, a few at a time (web/cpu.py)
        png = cpu().run(_draw, layout, ticket_print(ctx, ticket_id, request.host_url))
    except FontMissing as exc:
        raise HallqError("no_font", str(exc), 503) from None
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


def _draw(layout: Layout, ticket: TicketPrint) -> bytes:
    return png_bytes(layout.preview(ticket))
