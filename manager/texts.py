"""What the managers' live page script says, translated on the server (hallq/web/i18n.py)."""

from flask_babel import lazy_gettext as _l

LIVE = {
    "list_separator": _l(", "),
    "zone_alert": _l("{zone}: {reasons}"),
    "long_wait": _l("wait too long"),
    "long_queue": _l("queue too long"),
    "no_window_open": _l("people waiting, no window open"),
    "window_paused": _l("{window} paused for {minutes} min"),
    "device_fault": _l("Device fault: {device} {state}"),
    "overdue_follow_ups": _l("{count} follow-ups overdue: "),
    "tickets_today": _l("Tickets today"),
    "served": _l("Served"),
    "no_shows": _l("No-shows"),
    "mean_wait": _l("Mean wait"),
    "satisfied": _l("Satisfied"),
    "bad_ratings": _l("Bad ratings"),
    "all_clear": _l("All clear"),
    "waiting": _l("waiting"),
    "longest_and_open": _l("longest {longest} · open windows {open}"),
    "state_open": _l("Open"),
    "state_paused": _l("Paused"),
    "state_closed": _l("Closed"),
    "serving": _l("being served"),
    "called": _l("called"),
}
