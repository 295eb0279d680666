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
    "notify_why": _l("A text message when {count} people are ahead of {number}, and when it is called"),
    "notify_done": _l("We will text {phone} when your turn is near"),
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
    "notify_why": _l("A text message when {count} people are ahead of you, and when you are called"),
    "notify_done": _l("We will text {phone} when your turn is near"),
}

BOOK = {
    "documents": _l("{count} documents to bring"),
    "places_left": _l("{count} left"),
    "full": _l("Full"),
    "closed": _l("Booking closed"),
    "no_slots": _l("No times left on this day"),
    "no_days": _l("No days open for booking in the coming week"),
    "no_services": _l("This hall takes no bookings online"),
    "rules": _l(
        "One booking per service per mobile number, at most {week} a week. Not checked in {count} times "
        "within {days} days: booking is paused for {block} days (walk-in tickets are never affected)."
    ),
    "check_in": _l(
        "Check in at the hall's kiosk between {from} and {until}: scan this code or type the number."
    ),
    "booked": _l("Booked"),
    "state_booked": _l("Booked"),
    "state_cancelled": _l("Cancelled"),
    "state_checked_in": _l("Checked in"),
    "state_no_show": _l("Not checked in"),
    "keep_link": _l("Keep this page: its address shows and cancels your booking."),
    "reminders": _l("A text message reminds you the day before and an hour before."),
    "cancel_confirm": _l("Cancel this booking? The place goes to someone else."),
    "cancelled_done": _l("Your booking is cancelled."),
    "no_booking": _l("No such booking (the link is wrong or old)"),
}
