"""A ticket's life (shared/domain.md) as a transition table; every change is checked here."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    REQUEUE = "requeue"
    CANCEL = "cancel"


class Priority(StrEnum):
    NORMAL = "normal"
    GREEN = "green"

    @property
    def rank(self) -> int:
        """Queue rank: lower is called first (绿色通道 before everyone else)."""
        return 0 if self is Priority.GREEN else 1


TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.WAITING, Action.CALL): Status.CALLED,
    (Status.WAITING, Action.CANCEL): Status.CANCELLED,
    (Status.CALLED, Action.RECALL): Status.CALLED,
    (Status.CALLED, Action.START): Status.SERVING,
    (Status.CALLED, Action.FINISH): Status.FINISHED,
    (Status.CALLED, Action.NO_SHOW): Status.NO_SHOW,
    (Status.CALLED, Action.TRANSFER): Status.WAITING,
    (Status.CALLED, Action.CANCEL): Status.CANCELLED,
    (Status.SERVING, Action.FINISH): Status.FINISHED,
    (Status.SERVING, Action.TRANSFER): Status.WAITING,
    (Status.NO_SHOW, Action.REQUEUE): Status.WAITING,
}

#: a window is busy with a ticket in these states; a new call must wait until it leaves them
IN_PROGRESS = frozenset({Status.CALLED, Status.SERVING})


class TransitionError(Exception):
    def __init__(self, status: Status, action: Action) -> None:
        self.status = status
        self.action = action
        super().__init__(f"cannot {action.value} a ticket that is {status.value}")


def next_status(status: Status | str, action: Action | str) -> Status:
    status, action = Status(status), Action(action)
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionError(status, action) from None
