"""The functional core: numbering, ticket states, call selection, wait estimates. No I/O, no wall clock."""

from hallq.engine.calling import CallPolicy, LongestWaitPolicy, QueueHead, WindowView, make_policy
from hallq.engine.clock import Clock, ManualClock
from hallq.engine.estimate import Server, wait_until_called
from hallq.engine.issuing import IssueRefused, appointment_queue_time, check_caps, check_hours, check_offered
from hallq.engine.numbering import format_number, service_day
from hallq.engine.tickets import IN_PROGRESS, Action, Priority, Status, TransitionError, next_status
from hallq.engine.wait_model import WaitModel, WindowNow

__all__ = [
    "IN_PROGRESS",
    "Action",
    "CallPolicy",
    "Clock",
    "IssueRefused",
    "LongestWaitPolicy",
    "ManualClock",
    "Priority",
    "QueueHead",
    "Server",
    "Status",
    "TransitionError",
    "WaitModel",
    "WindowNow",
    "WindowView",
    "appointment_queue_time",
    "check_caps",
    "check_hours",
    "check_offered",
    "format_number",
    "make_policy",
    "next_status",
    "service_day",
    "wait_until_called",
]
