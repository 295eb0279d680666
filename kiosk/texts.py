"""What the kiosk's and the status page's scripts say, translated on the server (hallq/web/i18n.py)."""

from flask_babel import lazy_gettext as _l

KIOSK = {
    "waiting_in_zone": _l("{count} waiting"),
    "documents": _l("{count} documents to bring"),
    "no_green_channel": _l("No priority lane for this service"),
    "next_open": _l("Tickets are issued again on {when}"),
    "issuing_hours": _l("Tickets {from}–{to}"),
    "ask_phone": _l("Enter your mobile number"),
    "ask_id_card": _l("Enter your ID card number"),
    "per_person_limit": _l("{service}: at most {limit} ticket(s) a day per person"),
    "delete": _l("Delete"),
    "people": _l("{count} people"),
    "printing": _l("Printing your ticket…"),
    "printer_silent": _l("No answer from the printer"),
    "take_ticket": _l("Please take your printed ticket"),
    "not_printed": _l("The ticket did not print. Your number is valid: photograph or scan the ticket below."),
    "print_again": _l("Print again"),
    "no_token": _l("This kiosk has no token: open /kiosk?token=…"),
}

STATUS = {
    "waiting": _l("Waiting"),
    "called": _l("Please go to the window"),
    "serving": _l("Being served"),
    "finished": _l("Done"),
    "no_show": _l("Missed: please ask at the service desk"),
    "cancelled": _l("Cancelled"),
    "go_to_window": _l("Please go to window {number}"),
    "people": _l("{count} people"),
    "thanks_for_rating": _l("Thank you for your rating: {label}"),
    "no_such_ticket": _l("No such ticket"),
}
