"""Every page's own script parses (node --check): a stray parenthesis in caller.js once stopped every caller
page, and only the browser tests, minutes later, showed it. Vendored files are the npm registry's."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(
    path
    for folder in ("hallq/static", "kiosk/static", "caller/static", "display_board/static", "manager/static")
    for path in (ROOT / folder).rglob("*.js")
    if "vendor" not in path.parts
)


def test_there_are_scripts_to_check() -> None:
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_script_parses(script: Path) -> None:
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node is not installed (apt-get install nodejs)")
    checked = subprocess.run([node, "--check", str(script)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
