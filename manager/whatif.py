"""/manager/whatif: replay recorded days with changes, staffing advice for a typical day, quiet windows to
merge; each run computed in the background with a progress bar, and kept (hallq/whatif/runs.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.wrappers import Response

from hallq.config.hall import HallConfig
from hallq.web.auth import current_actor
from hallq.web.i18n import pick
from hallq.web.runtime import hall_context, socketio
from hallq.whatif import runs
from hallq.whatif.advice import WEEKDAYS
from hallq.whatif.export import staffing_csv, staffing_xlsx
from hallq.whatif.log import NoRecordedDays
from hallq.whatif.replay import BadChange
from manager.access import hall_name, managers_only
from manager.charts import bars

#: the call rules of [hall.call_rule] rule, as a manager reads them (docs/call-rule.md)
RULE_NAMES = {
    "ab": _l("A/B posts"),
    "own-first": _l("Own work first"),
    "longest-wait": _l("Longest wait first"),
}

bp = Blueprint("whatif", __name__, url_prefix="/manager/whatif", template_folder="templates")
bp.before_request(managers_only)
bp.context_processor(hall_name)


def _form_defaults() -> dict[str, Any]:
    today = hall_context().day()
    monday = today - timedelta(days=today.weekday() + 7)
    return {"kind": "replay", "first": monday.isoformat(), "last": (monday + timedelta(days=4)).isoformat()}


def changes_in_words(request: dict[str, Any], config: HallConfig) -> list[str]:
    """What a run tried, as a manager reads it: rule names, window numbers, service names (not ids)."""

    def window(window_id: str) -> str:
        found = config.window_by_id.get(window_id)
        return found.numbered_label if found else window_id

    def service(service_id: str) -> str:
        found = config.service_by_id.get(service_id)
        return found.name if found else service_id

    words: list[str] = []
    if request.get("rule"):
        words.append(str(_("Call rule: %(rule)s", rule=RULE_NAMES.get(request["rule"], request["rule"]))))
    if float(request.get("arrivals_factor") or 1.0) != 1.0:
        words.append(str(_("Citizens × %(factor)s", factor=request["arrivals_factor"])))
    for line in request.get("window_hours") or []:
        try:
            hours = runs.parse_window_hours(line)
        except BadChange:
            words.append(line)
            continue
        span = f"{int(hours.start_s // 3600):02d}:{int(hours.start_s % 3600 // 60):02d}–"
        span += f"{int(hours.end_s // 3600):02d}:{int(hours.end_s % 3600 // 60):02d}"
        state = _("open") if hours.state == "open" else _("closed")
        words.append(f"{window(hours.window_id)} {state} {span}")
    for key, label in (
        ("add_b", _("adds B service %(service)s")),
        ("remove_b", _("drops B service %(service)s")),
    ):
        for line in request.get(key) or []:
            window_id, _sep, service_id = line.partition(":")
            words.append(f"{window(window_id.strip())} {label % {'service': service(service_id.strip())}}")
    if request.get("into"):
        words.append(str(_("merged into %(window)s", window=window(request["into"]))))
    return words


def _page(form: dict[str, Any], error: str | None = None) -> tuple[str, int]:
    ctx = hall_context()
    return render_template(
        "manager/whatif.html",
        form=form,
        error=error,
        runs=[{**run, "changes": changes_in_words(run["request"], ctx.config)} for run in runs.recent(ctx)],
        services=ctx.config.services,
        windows=ctx.config.windows,
        weekdays=weekday_names(),
        hall_rule=ctx.config.hall.call_rule.rule,
        rules=RULE_NAMES,
        staffing=ctx.config.hall.staffing,
    ), (422 if error else 200)


@bp.get("")
def page() -> tuple[str, int]:
    return _page(_form_defaults())


def _fields(form: Any) -> dict[str, Any]:
    """The form as RunRequest fields: empty inputs left out, the text boxes one change per line."""
    keys = ("kind", "first", "last", "weekday", "rule", "into")
    fields: dict[str, Any] = {key: form.get(key) for key in keys if form.get(key) not in (None, "")}
    if form.get("arrivals_factor"):
        fields["arrivals_factor"] = form.get("arrivals_factor")
    for key in ("window_hours", "add_b", "remove_b"):
        fields[key] = [line for line in form.get(key, "").splitlines() if line.strip()]
    return fields


@bp.post("/runs")
def start_run() -> Response | tuple[str, int]:
    ctx, actor = hall_context(), current_actor()
    assert actor is not None
    try:
        run_request, days = runs.prepare(ctx, _fields(request.form))
    except (BadChange, NoRecordedDays) as error:
        return _page(request.form.to_dict(), str(error))
    run_id = runs.start(ctx, run_request, actor.name)
    server = socketio()
    offload = current_app.extensions["hallq_offload"]
    server.start_background_task(
        runs.execute, ctx, run_id, run_request, days, offload, server.start_background_task, server.sleep
    )
    return redirect(url_for("whatif.run_page", run_id=run_id), code=303)


def _run_or_404(run_id: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
    found = runs.get(hall_context(), run_id)
    if found is None:
        abort(404)
    return found


@bp.get("/runs/<int:run_id>.json")
def run_json(run_id: int) -> Response:
    run, _result = _run_or_404(run_id)
    return jsonify(run)


def _charts(run: dict[str, Any], result: dict[str, Any]) -> list[Markup]:
    zone_names = {zone.id: pick(zone.name, zone.name_en or zone.name) for zone in hall_context().config.zones}
    if run["kind"] == "replay":
        rows = [
            {
                "label": zone_names.get(zone, zone),
                "recorded": round(figures["mean_wait_s"] / 60, 1),
                "replayed": round(result["replayed"]["per_zone"].get(zone, {}).get("mean_wait_s", 0) / 60, 1),
            }
            for zone, figures in result["recorded"]["per_zone"].items()
        ]
        series = [("recorded", _("as recorded"), "#94a3b8"), ("replayed", _("with the changes"), "#2563eb")]
        return [bars(_("Mean wait by zone (min)"), rows, series, lambda v: f"{v:.1f}")]
    if run["kind"] == "staffing":
        by_hour: dict[str, int] = {}
        for row in result["rows"]:
            by_hour[row["hour"]] = by_hour.get(row["hour"], 0) + row["windows"]
        hours = [{"label": hour, "windows": count} for hour, count in sorted(by_hour.items())]
        series = [("windows", _("windows to open"), "#2563eb")]
        return [bars(_("Windows to open, all zones"), hours, series, lambda v: f"{v:.0f}")]
    return []


@bp.get("/runs/<int:run_id>")
def run_page(run_id: int) -> str:
    run, result = _run_or_404(run_id)
    charts = _charts(run, result) if result is not None else []
    grid: dict[str, dict[str, Any]] = {}
    if result is not None and run["kind"] == "staffing":
        for row in result["rows"]:
            grid.setdefault(row["zone"], {})[row["hour"]] = row
    config = hall_context().config
    zones = {zone.id: pick(zone.name, zone.name_en or zone.name) for zone in config.zones}
    weekdays = dict(zip(WEEKDAYS, weekday_names(), strict=True))
    return render_template(
        "manager/whatif_run.html",
        run=run,
        result=result,
        charts=charts,
        grid=grid,
        zones=zones,
        weekdays=weekdays,
        windows={window.id: window.numbered_label for window in config.windows},
        rules=RULE_NAMES,
        changes=changes_in_words(run["request"], config),
    )


def weekday_names() -> list[str]:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


@bp.get("/runs/<int:run_id>/staffing.<extension>")
def staffing_export(run_id: int, extension: str) -> Response:
    run, result = _run_or_404(run_id)
    if run["kind"] != "staffing" or result is None or extension not in ("csv", "xlsx"):
        abort(404)
    ctx = hall_context()
    if extension == "csv":
        body, mimetype = staffing_csv(result), "text/csv; charset=utf-8"
    else:
        body = staffing_xlsx(result, ctx.config.hall.name)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = current_app.response_class(body, content_type=mimetype)
    name = f"hallq-staffing-{result['weekday']}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
