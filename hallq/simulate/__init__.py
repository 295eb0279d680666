"""`hallq simulate`: the engine's own rules on a virtual clock, for what-if questions and for checking the
call rule against queueing theory."""

from hallq.simulate.report import pooling_gain, simulate
from hallq.simulate.scenario import Scenario, load_scenario, parse_scenario

__all__ = ["Scenario", "load_scenario", "parse_scenario", "pooling_gain", "simulate"]
