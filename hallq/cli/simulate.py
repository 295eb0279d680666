"""`hallq simulate`: what if, on a virtual clock (hallq/simulate/), for a written scenario or for recorded
days of the hall's own log (hallq/whatif/)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from hallq.cli.support import base_settings, common, fail_with, hall_app


@click.command("simulate")
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option(
    "--policy",
    default=None,
    help="own-first (the default), ab, longest-wait, dedicated or pooled "
    "(with --from-log: the hall file's rule unless given).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Draw mean wait by hour and per zone to a PNG (needs matplotlib).",
)
@click.option("--from-log", "from_log", default=None, help="Replay recorded days: DATE or DATE..DATE.")
@click.option(
    "--scale-arrivals", type=float, default=1.0, help="With --from-log: e.g. 1.2 for 20% more citizens."
)
@click.option(
    "--window",
    "window_hours",
    multiple=True,
    help="With --from-log: W03=closed@09:00-12:00 or W03=open@14:00-17:00 (repeatable).",
)
@click.option(
    "--add-b", multiple=True, help="With --from-log: WINDOW:SERVICE, a B service to add (repeatable)."
)
@click.option(
    "--remove-b", multiple=True, help="With --from-log: WINDOW:SERVICE, a B service to drop (repeatable)."
)
@common
def simulate_command(
    scenario_file: Path | None,
    policy: str | None,
    as_json: bool,
    plot: Path | None,
    from_log: str | None,
    scale_arrivals: float,
    window_hours: tuple[str, ...],
    add_b: tuple[str, ...],
    remove_b: tuple[str, ...],
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
) -> None:
    """Run the engine's own call rule and estimates on a scenario or on recorded days, on a virtual clock."""
    import json

    from hallq.config.tomlfile import ConfigError
    from hallq.engine.calling import DEFAULT_POLICY, POLICIES
    from hallq.simulate import load_scenario, simulate
    from hallq.simulate.report import format_table

    if policy is not None and policy not in POLICIES:
        raise click.BadParameter(
            f"unknown policy {policy!r}; one of {', '.join(sorted(POLICIES))}", param_hint="--policy"
        )
    if from_log is not None:
        result = _from_log(
            from_log, policy, scale_arrivals, window_hours, add_b, remove_b, instance, database_url, hall_file
        )
        click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else _comparison_table(result))
        return
    if scenario_file is None:
        raise click.UsageError("give a SCENARIO_FILE, or --from-log DATE[..DATE]")
    try:
        scenario = load_scenario(scenario_file)
    except ConfigError as exc:
        fail_with(exc)
    result = simulate(scenario, policy or DEFAULT_POLICY)
    if plot is not None:
        from hallq.simulate.plot import draw

        draw(result, plot)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_table(result))


def _days(text: str) -> tuple[date, date]:
    first, _, last = text.partition("..")
    try:
        return date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: give DATE or DATE..DATE, e.g. 2026-11-02..2026-11-06", param_hint="--from-log"
        ) from None


def _from_log(
    days_text: str,
    policy: str | None,
    scale: float,
    window_hours: tuple[str, ...],
    add_b: tuple[str, ...],
    remove_b: tuple[str, ...],
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
) -> dict[str, Any]:
    from hallq.whatif.log import NoRecordedDays, read_days
    from hallq.whatif.replay import BadChange, Changes, what_if
    from hallq.whatif.runs import parse_pair, parse_window_hours

    first, last = _days(days_text)
    try:
        changes = Changes(
            rule=policy,
            arrivals_factor=scale,
            window_hours=tuple(parse_window_hours(text) for text in window_hours),
            add_b=tuple(parse_pair(text) for text in add_b),
            remove_b=tuple(parse_pair(text) for text in remove_b),
        )
    except BadChange as error:
        raise click.ClickException(str(error)) from None
    ctx = hall_app(base_settings(instance, database_url, hall_file)).extensions["hallq"]
    try:
        return what_if(ctx.config, read_days(ctx, first, last), changes)
    except (NoRecordedDays, BadChange) as error:
        raise click.ClickException(str(error)) from None
    finally:
        ctx.store.dispose()


def _comparison_table(result: dict[str, Any]) -> str:
    recorded, replayed = result["recorded"], result["replayed"]
    lines = [
        f"{len(result['days'])} recorded day(s) {result['days'][0]} .. {result['days'][-1]}"
        f" · rule {result['rule']}",
        f"{'zone':<8}{'tickets':>9}{'mean min (log / sim)':>24}{'p90 min (log / sim)':>24}{'over limit':>16}",
    ]
    rows = [("hall", recorded["hall"], replayed["hall"])]
    rows += [(z, recorded["per_zone"][z], replayed["per_zone"].get(z, {})) for z in recorded["per_zone"]]
    for name, log, sim in rows:
        lines.append(
            f"{name:<8}{log['tickets']:>9}"
            f"{log['mean_wait_s'] / 60:>15.1f} / {sim.get('mean_wait_s', 0) / 60:<6.1f}"
            f"{log['p90_wait_s'] / 60:>15.1f} / {sim.get('p90_wait_s', 0) / 60:<6.1f}"
            f"{log['over_limit_share']:>9.0%} / {sim.get('over_limit_share', 0):.0%}"
        )
    lines.append(
        "window utilisation (log / sim): "
        + ", ".join(
            f"{w} {recorded['utilisation'][w]:.0%}/{replayed['utilisation'][w]:.0%}"
            for w in recorded["utilisation"]
        )
    )
    return "\n".join(lines)
