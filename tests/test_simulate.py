"""`hallq simulate`: held to Erlang C, deterministic, driving the engine, clear about bad scenarios."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from hallq.cli.main import cli
from hallq.engine import WaitModel, make_policy
from hallq.engine.calling import DEFAULT_POLICY
from hallq.simulate import load_scenario, parse_scenario, pooling_gain, simulate
from hallq.simulate.report import run_days, summarize
from hallq.simulate.run import HallDay

from .conftest import skip_or_fail

SCENARIOS = Path(__file__).parent / "scenarios"
RING = Path(__file__).parents[2] / "shared" / "scenarios" / "ring-6x2.toml"


def erlang_c_wait(servers: int, arrivals_per_s: float, mean_service_s: float) -> float:
    """Mean wait in queue of M/M/c, by the Erlang C formula (written here, not taken from hallq)."""
    load = arrivals_per_s * mean_service_s
    below = sum(load**k / math.factorial(k) for k in range(servers))
    top = load**servers / math.factorial(servers) / (1 - load / servers)
    return top / (below + top) * mean_service_s / (servers - load)


def mmc(servers: int, busy: float, hours: float, seed: int = 1, mean_s: float = 480) -> str:
    rate = busy * servers * 3600 / mean_s
    windows = "".join(f'[[windows]]\nid = "W{i}"\na = ["s"]\n' for i in range(servers))
    return (
        f'name = "M/M/{servers} at {busy:.0%}"\nseed = {seed}\nduration_h = {hours}\nwarmup_h = 50\n'
        f'[[services]]\nid = "s"\nzone = "A"\nservice_time = {{ dist = "exponential", mean_s = {mean_s} }}\n'
        f'[[arrivals]]\nservice = "s"\nrate_per_hour = {rate}\n{windows}'
    )


@pytest.mark.parametrize(
    ("servers", "busy", "hours"), [(1, 0.70, 50_000), (3, 0.85, 20_000), (10, 0.90, 6_000)]
)
def test_single_zone_mean_wait_matches_erlang_c(servers: int, busy: float, hours: float) -> None:
    """About 260k-400k tickets each: the mean wait is within 5% of queueing theory."""
    result = simulate(parse_scenario(mmc(servers, busy, hours)), "ab")
    expected = erlang_c_wait(servers, busy * servers / 480, 480)
    assert result["tickets"] > 250_000
    assert result["mean_wait_s"] == pytest.approx(expected, rel=0.05)


def test_same_seed_same_result_other_seed_other_result() -> None:
    text = mmc(2, 0.8, 200)
    first, again = simulate(parse_scenario(text), "ab"), simulate(parse_scenario(text), "ab")
    assert first == again
    assert simulate(parse_scenario(text.replace("seed = 1", "seed = 2")), "ab") != first


def test_the_simulator_drives_the_engine() -> None:
    """Numbers come from the engine's numbering, and every ticket went through its state machine."""
    scenario = load_scenario(SCENARIOS / "absences.toml").model_copy(update={"replications": 1})
    (day,) = run_days(scenario, make_policy("ab"))
    numbers = [t.number for t in day.tickets if t.zone == "A"]
    assert numbers[:3] == ["A001", "A002", "A003"]
    assert {t.status.value for t in day.tickets} == {"finished"}
    assert all(t.called_s is not None and t.called_s >= t.issued_s for t in day.tickets)


def test_absences_are_covered_by_b_windows() -> None:
    """Zone A's two A windows are away 10:00-11:00; its B windows take it over (AB岗)."""
    scenario = load_scenario(SCENARIOS / "absences.toml")
    ab, dedicated = simulate(scenario, "ab"), simulate(scenario, "dedicated")
    assert ab["per_zone"]["A"]["mean_wait_s"] < dedicated["per_zone"]["A"]["mean_wait_s"] / 3
    assert ab["per_window"]["W5"]["a_share"] < 1.0  # W5 (B for zone A) served zone A tickets


RESULTS: dict[str, dict[str, dict]] = {}


#: the rule a hall runs unless its hall file says otherwise (issue 33: citizens feel the wait, not A shares)
DEFAULT = DEFAULT_POLICY


def results(path: Path) -> dict[str, dict]:
    """The scenario under both hall rules, longest-wait and the two baselines (cached: each run takes a second
    or two)."""
    if not path.exists():
        skip_or_fail(f"{path} is missing: the team's shared/ folder sits beside the checkout")
    if path.name not in RESULTS:
        scenario = load_scenario(path)
        policies = ("ab", "own-first", "dedicated", "pooled", "longest-wait")
        RESULTS[path.name] = {p: simulate(scenario, p) for p in policies}
    return RESULTS[path.name]


def gain(path: Path, rule: str = DEFAULT) -> float:
    r = results(path)
    return pooling_gain(r["dedicated"]["mean_wait_s"], r[rule]["mean_wait_s"], r["pooled"]["mean_wait_s"])


ALL = [RING, *sorted(SCENARIOS.glob("*.toml"))]
BALANCED = [RING, SCENARIOS / "ring-lognormal.toml"]


@pytest.mark.parametrize("rule", ["own-first", "ab"])
@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_both_hall_rules_beat_dedicated_windows_by_far(path: Path, rule: str) -> None:
    assert gain(path, rule) > 0.5


@pytest.mark.parametrize("path", [p for p in ALL if p.stem != "n-design"], ids=lambda p: p.stem)
def test_no_zone_waits_much_longer_than_the_hall(path: Path) -> None:
    default = results(path)[DEFAULT]
    worst = max(zone["mean_wait_s"] for zone in default["per_zone"].values())
    assert worst <= 1.5 * default["mean_wait_s"]


# Issue 18's targets, held to the default rule (docs/call-rule.md has the figures). Those it does not reach
# yet are strict xfails: the day one passes, its test fails and the marker must go.


def _unmet(path: Path, unmet: dict[str, str], what: str) -> object:
    if path.stem not in unmet:
        return path
    reason = f"{path.stem}: {unmet[path.stem]} {what} (docs/call-rule.md)"
    return pytest.param(path, marks=pytest.mark.xfail(strict=True, reason=reason), id=path.stem)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_target_mean_wait_within_115_percent_of_longest_wait(path: Path) -> None:
    r = results(path)
    assert r[DEFAULT]["mean_wait_s"] <= 1.15 * r["longest-wait"]["mean_wait_s"]


@pytest.mark.parametrize("path", BALANCED, ids=lambda p: p.stem)
def test_the_default_gives_up_part_of_the_a_share_on_balanced_load(path: Path) -> None:
    """...at a price: on the rings about 60% of each window's work is its own (ab: over 70%)."""
    shares = [row["a_share"] for row in results(path)[DEFAULT]["per_window"].values()]
    assert 0.55 <= min(shares) < 0.70


# `ab`, the rule for halls that must keep each window on its own department's work, as a study: its figures
# (docs/call-rule.md), held so that a change to it shows.
AB_OVER_LONGEST_WAIT = {"ring-6x2": 1.11, "absences": 1.17, "bookings": 1.61, "clerk-away-morning": 1.34}
AB_OVER_LONGEST_WAIT |= {"hall-day": 1.21, "hot-zone": 1.57, "n-design": 0.96, "ring-lognormal": 1.31}
AB_OVER_LONGEST_WAIT |= {"two-hot-zones": 1.55}


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_ab_study_its_wait_against_longest_wait(path: Path) -> None:
    r = results(path)
    ratio = r["ab"]["mean_wait_s"] / r["longest-wait"]["mean_wait_s"]
    assert ratio == pytest.approx(AB_OVER_LONGEST_WAIT[path.stem], abs=0.01)


@pytest.mark.parametrize("path", BALANCED, ids=lambda p: p.stem)
def test_ab_study_windows_keep_mostly_to_their_own_work_when_load_is_balanced(path: Path) -> None:
    shares = [row["a_share"] for row in results(path)["ab"]["per_window"].values()]
    assert min(shares) >= 0.70


@pytest.mark.xfail(strict=True, reason="N-design: zone Z (only W5, busy helping X and Y) waits 2.2x the mean")
def test_target_worst_zone_in_the_n_design() -> None:
    default = results(SCENARIOS / "n-design.toml")[DEFAULT]
    assert max(z["mean_wait_s"] for z in default["per_zone"].values()) <= 1.5 * default["mean_wait_s"]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_the_range_on_the_ticket_holds_most_waits_but_not_all(path: Path) -> None:
    """The range is honest (most citizens are called inside it) and not a blanket (some are not)."""
    assert 0.70 <= results(path)[DEFAULT]["range"]["called_within_range"] <= 0.90


UNMET_WIDTH = {"hall-day": "1.17x", "n-design": "1.07x"}


@pytest.mark.parametrize(
    "path",
    [_unmet(p, UNMET_WIDTH, "the single figure: the range is that wide") for p in ALL],
    ids=lambda p: p.stem,
)
def test_target_range_no_wider_than_the_figure_for_waits_over_10_minutes(path: Path) -> None:
    r = results(path)[DEFAULT]["range"]
    assert r["median_width_s"] <= r["median_estimate_s"]


def test_booked_citizens_are_called_near_their_slot_and_pass_nobody_already_waiting() -> None:
    """预约 in the simulator as in the server: a check-in queues from the start of its slot."""
    scenario = load_scenario(SCENARIOS / "bookings.toml").model_copy(update={"replications": 2})
    days = [HallDay(scenario, make_policy("ab"), seed).run() for seed in (3, 4)]
    booked = [t for day in days for t in day.tickets if t.booked and t.called_s is not None]
    assert len(booked) > 200
    on_time = [t for t in booked if t.called_s - max(t.issued_s, t.queued_s) <= 900]  # type: ignore[operator]
    assert len(on_time) / len(booked) >= 0.9
    for day in days:
        by_service: dict[str, list] = {}
        for ticket in day.tickets:
            by_service.setdefault((ticket.service_id, ticket.rank), []).append(ticket)  # type: ignore[arg-type]
        for tickets in by_service.values():
            for a in tickets:
                for b in tickets:
                    # a was queued before b and already waiting when b was called: a went first
                    if a.queued_s < b.queued_s and b.called_s is not None and a.issued_s < b.called_s:
                        assert a.called_s is not None and a.called_s <= b.called_s


#: bench/estimate_floor.py: the unbiased oracle's MAPE on the realistic day under each rule
#: (docs/call-rule.md; ab 2026-12-04, own-first 2026-12-06)
ORACLE_MAPE_REALISTIC_DAY = {"ab": 0.507, "own-first": 0.515}


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(
            "own-first",
            marks=pytest.mark.xfail(
                strict=True, reason="own-first: 67.5%, 1.31x the unbiased oracle's 51.5% (docs/call-rule.md)"
            ),
        ),
        "ab",
    ],
)
def test_target_single_figure_within_125_percent_of_the_oracle_on_the_realistic_day(rule: str) -> None:
    found = results(SCENARIOS / "hall-day.toml")[rule]
    assert found["estimate"]["mean_abs_pct_error"] <= 1.25 * ORACLE_MAPE_REALISTIC_DAY[rule]


def test_estimates_are_about_right_on_average_and_kept_by_most() -> None:
    """Not biased by more than two minutes on any scenario; most citizens called within it."""
    for path in ALL:
        estimate = results(path)[DEFAULT]["estimate"]
        assert abs(estimate["mean_error_s"]) <= 120, (path.stem, estimate)
        assert estimate["called_within_estimate"] >= 0.6, (path.stem, estimate)


class WrongHallFile(HallDay):
    """The hall file says visits take half as long again as they do (a real hall's figure is a guess)."""

    learn = True

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        model = self.wait_model
        prior = {service: mean * 1.5 for service, mean in model.prior_mean_s.items()}
        self.wait_model = WaitModel(prior, model.a_services, model.b_services)
        if not self.learn:
            self.wait_model.visit = lambda *_args, **_kwargs: None  # type: ignore[method-assign]


class WrongHallFileNotLearning(WrongHallFile):
    learn = False


def test_the_estimate_learns_visit_times_a_hall_file_got_wrong() -> None:
    scenario = load_scenario(SCENARIOS / "n-design.toml")
    policy = make_policy("ab")
    learning = summarize(scenario, "ab", [WrongHallFile(scenario, policy, seed).run() for seed in (7, 8)])
    fixed = summarize(
        scenario, "ab", [WrongHallFileNotLearning(scenario, policy, seed).run() for seed in (7, 8)]
    )
    assert learning["estimate"]["mean_abs_error_s"] < 0.8 * fixed["estimate"]["mean_abs_error_s"]
    assert abs(learning["estimate"]["mean_error_s"]) < 0.5 * fixed["estimate"]["mean_error_s"]


def test_simulate_cli_json_and_table(tmp_path: Path) -> None:
    runner = CliRunner()
    scenario = tmp_path / "mm2.toml"
    scenario.write_text(mmc(2, 0.8, 100), encoding="utf-8")
    result = runner.invoke(cli, ["simulate", str(scenario), "--json", "--policy", "pooled"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["policy"] == "pooled" and body["tickets"] > 500
    assert set(body) >= {
        "scenario",
        "tickets",
        "mean_wait_s",
        "p90_wait_s",
        "max_wait_s",
        "per_zone",
        "per_window",
        "estimate",
    }
    assert set(body["per_window"]["W0"]) == {"served", "a_share", "busy_share"}
    table = runner.invoke(cli, ["simulate", str(scenario), "--plot", str(tmp_path / "plot.png")])
    assert table.exit_code == 0 and "A share" in table.output
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = runner.invoke(cli, ["simulate", str(scenario), "--policy", "random"])
    assert bad.exit_code == 2 and "unknown policy" in bad.output


BASE = mmc(2, 0.8, 100)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('a = ["s"]', 'a = ["tax"]'), 'windows[0].a (line 14): unknown service "tax"'),
        (("rate_per_hour = ", "rate_per_hour = -"), "arrivals[0].rate_per_hour (line 11)"),
        (('[[windows]]\nid = "W1"\na = ["s"]', '[[windows]]\nid = "W1"'), "windows[1]"),
        (("duration_h = 100", 'open = "9h"\nduration_h = 100'), "open (line 3)"),
        (('service = "s"', 'service = "nope"'), 'arrivals[0].service (line 10): unknown service "nope"'),
        (
            ("duration_h = 100", "duration_h = 1000000"),
            "arrivals: up to 12,000,000 tickets: more than 5,000,000",
        ),
    ],
)
def test_bad_scenarios_name_the_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BASE.replace(*change, 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
