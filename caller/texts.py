"""What the caller's and the rating tablet's scripts say, translated on the server (hallq/web/i18n.py)."""

from flask_babel import lazy_gettext as _l

CALLER = {
    "window_number": _l("Window {number}"),
    "list_separator": _l(", "),
    "state_open": _l("Open"),
    "state_paused": _l("Paused"),
    "state_closed": _l("Closed"),
    "serving": _l("being served"),
    "called": _l("called"),
    "idle": _l("Idle"),
    "issued_and_recalls": _l("issued {time} · recalled {recalls} times"),
    "resume": _l("Resume"),
    "pause": _l("Pause"),
    "green_tag": _l("priority"),
    "call_this": _l("Call"),
    "nothing_to_call": _l("Nothing for this window to call now"),
    # why an action is greyed out, shown under it
    "why_finish_first": _l("Finish or no-show first"),
    "why_not_open": _l("Open the window first"),
    "why_paused": _l("Resume first"),
    "why_nothing_current": _l("No current ticket"),
    "why_started": _l("Already being served"),
    "why_closed": _l("Window closed"),
    # signing in and out
    "taken_over": _l("{clerk} has taken over this window"),
    "sign_out_first": _l("Finish or no-show the current ticket before you leave the window"),
    "a_post": _l("A post: {services}"),
    "requeue": _l("Back in the queue"),
    "no_show_done": _l("{number} marked as no-show"),
    "level_1": _l("Very dissatisfied"),
    "level_2": _l("Dissatisfied"),
    "appeal": _l("Appeal"),
    "appeal_reason": _l("Why should the rating of {number} not count? (a manager decides)"),
    "appeal_open": _l("Appealed, waiting for a manager"),
    "appeal_upheld": _l("Appeal upheld: not counted"),
    "appeal_rejected": _l("Appeal rejected"),
    "b_post": _l("B post: {services}"),
    "in_zone": _l("{service} ({zone})"),
    "window_state": _l("{window} ({state})"),
    "signed_out": _l("You have been signed out (your account was changed or deactivated). Sign in again."),
}

EVALUATE = {
    "no_token": _l("This tablet has no token: open this page once with ?token=<evaluator token>"),
}
