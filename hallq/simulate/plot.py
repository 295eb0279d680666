"""--plot: mean wait by hour of issue and per zone, for managers (matplotlib, optional)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def draw(result: dict[str, Any], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise click.ClickException("--plot needs matplotlib: pip install 'hallq[plot]'") from None
    figure, (by_hour, by_zone) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    hours = list(result["by_hour"])
    by_hour.bar(hours, [v / 60 for v in result["by_hour"].values()], color="#c8102e")
    by_hour.set_title("Mean wait by hour of issue")
    by_hour.set_ylabel("minutes")
    by_hour.tick_params(axis="x", labelrotation=45)
    zones = list(result["per_zone"])
    by_zone.bar(zones, [row["mean_wait_s"] / 60 for row in result["per_zone"].values()], color="#1f5fbf")
    by_zone.bar(
        zones,
        [row["p90_wait_s"] / 60 for row in result["per_zone"].values()],
        color="none",
        edgecolor="#1d2433",
        label="p90",
    )
    by_zone.set_title("Wait per zone (mean, outline p90)")
    by_zone.set_ylabel("minutes")
    figure.suptitle(f"{result['scenario']} · policy {result['policy']} · {result['tickets']} tickets")
    try:
        figure.savefig(path, dpi=110)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        plt.close(figure)
