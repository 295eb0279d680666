"""What every managers' page needs: a manager or admin signed in, and the hall's name for the layout."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from hallq.web.auth import current_actor
from hallq.web.i18n import pick
from hallq.web.runtime import hall_context

MANAGERS = ("manager", "admin")


def managers_only() -> Response | None:
    """Before each request: anyone but a manager or admin goes to the login page, and comes back after."""
    actor = current_actor()
    if actor is None or actor.role not in MANAGERS:
        return redirect(url_for("manager.login", next=request.script_root + request.full_path.rstrip("?")))
    return None


def hall_name() -> dict[str, Any]:
    hall = hall_context().config.hall
    return {"config_hall_name": pick(hall.name, hall.name_en or hall.name)}
