"""The zone alert rule, pure: thresholds, and people waiting with no window open in serving hours."""

from __future__ import annotations


def test_serving_hours_leave_out_the_lunch_break() -> None:
    from datetime import time

    from hallq.config.sections import Hours
    from hallq.engine.alerts import in_serving_hours

    hours = Hours(open=time(9), close=time(17), lunch=(time(12), time(13, 30)))
    assert [in_serving_hours(hours, time(*t)) for t in [(8, 59), (9, 0), (11, 59), (12, 0), (13, 29)]] == [
        False,
        True,
        True,
        False,
        False,
    ]
    assert in_serving_hours(hours, time(13, 30)) and not in_serving_hours(hours, time(17))


def test_zone_alert_thresholds() -> None:
    from hallq.engine.alerts import zone_alert

    limits = {"max_longest_wait_s": 900, "max_waiting_per_open_window": 10}
    assert zone_alert("A", 0, 5000, 2, **limits) is None  # nobody waits
    assert zone_alert("A", 20, 900, 2, **limits) is None  # exactly at both limits
    assert zone_alert("A", 3, 901, 2, **limits).reason == "long_wait"  # type: ignore[union-attr]
    assert zone_alert("A", 21, 60, 2, **limits).reason == "long_queue"  # type: ignore[union-attr]
    assert zone_alert("A", 11, 60, 0, **limits).reason == "no_window_open+long_queue"  # type: ignore[union-attr]
    assert zone_alert("A", 11, 60, 0, serving_hours=False, **limits).reason == "long_queue"  # type: ignore[union-attr]
    # people waiting and no window open: an alert at once in serving hours, none outside them
    assert zone_alert("A", 1, 5, 0, **limits).reason == "no_window_open"  # type: ignore[union-attr]
    assert zone_alert("A", 1, 5, 0, serving_hours=False, **limits) is None
    assert zone_alert("A", 0, 0, 0, **limits) is None
    both = zone_alert("A", 30, 1000, 1, **limits)
    assert both is not None and both.reason == "long_wait+long_queue" and both.longest_wait_s == 1000
