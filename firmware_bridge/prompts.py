"""Rating prompts lent to evaluator pads: which visit (ticket) each prompt id rates, and the prompt lit on
each evaluator, so that a visit rated on the tablet or the phone puts its pad out."""

from __future__ import annotations

from dataclasses import dataclass, field

#: prompt ids a pad may still answer; older ones are forgotten (a pad's own timeout is far shorter)
KEEP = 1000


@dataclass
class RatingPrompts:
    tickets: dict[int, int] = field(default_factory=dict)  # prompt id -> ticket id
    #: the prompt lit on each evaluator (its device id): (prompt id, ticket id); its driver puts it out at the
    #: timeout, `put_out` when the visit is rated elsewhere
    lit: dict[str, tuple[int, int]] = field(default_factory=dict)
    _last: int = 0

    def lend(self, evaluator_id: str, ticket_id: int) -> int:
        """A new prompt id (1..65535, as the wire carries it) for a visit, lit on one evaluator."""
        self._last = self._last % 65535 + 1
        self.tickets[self._last] = ticket_id
        self.lit[evaluator_id] = (self._last, ticket_id)
        while len(self.tickets) > KEEP:
            self.tickets.pop(next(iter(self.tickets)))
        return self._last

    def answered(self, evaluator_id: str, prompt_id: int) -> int | None:
        """The pad answered a prompt: the ticket it rates, or None for a prompt forgotten or put out."""
        if self.lit.get(evaluator_id, (None,))[0] == prompt_id:
            del self.lit[evaluator_id]
        return self.tickets.pop(prompt_id, None)

    def put_out(self, ticket_id: int) -> list[tuple[str, int]]:
        """The visit was rated elsewhere: the (evaluator id, prompt id) pairs to cancel, forgotten here."""
        out = [(evaluator, prompt) for evaluator, (prompt, ticket) in self.lit.items() if ticket == ticket_id]
        for evaluator, prompt in out:
            del self.lit[evaluator]
            self.tickets.pop(prompt, None)
        return out
