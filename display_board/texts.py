"""What the hall display's script says, translated on the server (hallq/web/i18n.py)."""

from flask_babel import lazy_gettext as _l

DISPLAY = {
    "window_number": _l("Window {number}"),
    "paused": _l("Paused"),
    "closed": _l("Closed"),
    "idle": _l("Free"),
    "welcome": _l("Welcome"),
    "recalled": _l("Recall"),
    "no_calls_yet": _l("No calls yet today"),
    "page_of": _l("Windows, page {page} of {pages}"),
    "no_token": _l("This display has no token: open /display?token=…"),
    "reconnecting": _l("Connection lost, reconnecting…"),
}
