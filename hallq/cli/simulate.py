"""`hallq simulate`: what if, on a virtual clock (hallq/simulate/)."""

from __future__ import annotations

from pathlib import Path

import click

from hallq.cli.support import (
    fail_with,
)


@click.command("simulate")
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--policy",
    default="ab",
    show_default=True,
    help="ab (the default A/B rule), own-first, longest-wait, dedicated or pooled.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Draw mean wait by hour and per zone to a PNG (needs matplotlib).",
)
def simulate_command(scenario_file: Path, policy: str, as_json: bool, plot: Path | None) -> None:
    """Run the engine's own call rule and estimates on a scenario with a virtual clock."""
    import json

    from hallq.config.tomlfile import ConfigError
    from hallq.engine.calling import POLICIES
    from hallq.simulate import load_scenario, simulate
    from hallq.simulate.report import format_table

    if policy not in POLICIES:
        raise click.BadParameter(
            f"unknown policy {policy!r}; one of {', '.join(sorted(POLICIES))}", param_hint="--policy"
        )
    try:
        scenario = load_scenario(scenario_file)
    except ConfigError as exc:
        fail_with(exc)
    result = simulate(scenario, policy)
    if plot is not None:
        from hallq.simulate.plot import draw

        draw(result, plot)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_table(result))
