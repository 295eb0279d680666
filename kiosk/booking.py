"""预约 on the citizen's phone (/book): service with its materials, day, slot with the places left, name and
mobile number; then the booking code and the QR code the kiosk scans to check in. The manage link
(/book/<code>?key=...) shows the booking again and cancels it."""

import qrcode
from flask import Blueprint, Response, render_template, request
from qrcode.image.svg import SvgPathImage

from hallq.operations.bookings import booking_view
from hallq.web.i18n import page_texts
from hallq.web.runtime import hall_context
from kiosk import texts

bp = Blueprint("booking", __name__, template_folder="templates")


@bp.get("/book")
def page() -> str:
    return render_template("kiosk/book.html", code="", texts=page_texts(texts.BOOK))


@bp.get("/book/<code>")
def manage(code: str) -> str:
    """The manage link: the page finds the booking by the key in the link (?key=)."""
    return render_template("kiosk/book.html", code=code, texts=page_texts(texts.BOOK))


@bp.get("/book/<code>/qr.svg")
def qr(code: str) -> Response:
    """The booking code as a QR code: the kiosk's scanner reads it off the phone's screen to check in."""
    booking = booking_view(hall_context(), code, request.args.get("key", ""))  # 404 without the right key
    image = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    image.add_data(booking["code"])
    svg = image.make_image(image_factory=SvgPathImage).to_string(encoding="unicode")
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})
