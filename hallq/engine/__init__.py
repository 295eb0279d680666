"""The functional core: numbering, ticket states, call selection, wait estimates. No I/O, no wall clock."""

from hallq.engine.calling import CallPolicy, LongestWaitPolicy, QueueHead, WindowView, make_policy
from hallq.engine.clock import Clock, ManualClock, SystemClock
from hallq.engine.estimate import Capacity, estimate_wait
from hallq.engine.issuing import IssueRefused, check_caps, check_hours
from hallq.engine.numbering import format_number, service_day
from hallq.engine.tickets import IN_PROGRESS, Action, Priority, Status, TransitionError, next_status

__all__ = [
    "IN_PROGRESS",
    "Action",
    "CallPolicy",
    "Capacity",
    "Clock",
    "IssueRefused",
    "LongestWaitPolicy",
    "ManualClock",
    "Priority",
    "QueueHead",
    "Status",
    "SystemClock",
    "TransitionError",
    "WindowView",
    "check_caps",
    "check_hours",
    "estimate_wait",
    "format_number",
    "make_policy",
    "next_status",
    "service_day",
]
