"""`hallq screen URL`: open a hall screen (display, kiosk, caller) in Chromium's kiosk mode, full screen and
allowed to play sound without a click, as a display PC starts it at boot (docs/deployment.md, "Screens")."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import click

#: Chromium's own switches for a wall screen: full screen with no way out but the keyboard, sound without a
#: click (so calls are spoken from the first one), no "restore pages" or first-run bubbles after a power cut.
KIOSK_SWITCHES = (
    "--kiosk",
    "--autoplay-policy=no-user-gesture-required",
    "--noerrdialogs",
    "--disable-session-crashed-bubble",
    "--disable-infobars",
    "--no-first-run",
    "--check-for-update-interval=31536000",
)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_command(url: str, browser: str, profile: Path, extra: tuple[str, ...] = ()) -> list[str]:
    return [browser, *KIOSK_SWITCHES, f"--user-data-dir={profile}", *extra, url]


@click.command("screen")
@click.argument("url")
@click.option("--browser", help="Chromium's program (default: the first of chromium, google-chrome on PATH).")
@click.option(
    "--profile",
    type=click.Path(file_okay=False, path_type=Path),
    help="Chromium's profile folder for this screen (default: ~/.local/share/hallq/screen).",
)
@click.option("--print-command", is_flag=True, help="Print the command instead of starting it.")
@click.argument("chromium_args", nargs=-1, type=click.UNPROCESSED)
def screen_command(
    url: str, browser: str | None, profile: Path | None, print_command: bool, chromium_args: tuple[str, ...]
) -> None:
    """Open URL (e.g. http://hallq.local:5000/display?token=...) full screen in Chromium, sound allowed.
    Anything after `--` goes to Chromium as it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"{url!r} is not an http(s) address of a hallq page", param_hint="URL")
    program = browser or next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if program is None or shutil.which(program) is None:
        tried = browser or ", ".join(BROWSERS)
        raise click.ClickException(f"Chromium not found ({tried}): apt-get install chromium, or --browser")
    folder = profile or Path.home() / ".local" / "share" / "hallq" / "screen"
    command = chromium_command(url, program, folder, chromium_args)
    if print_command:
        click.echo(" ".join(command))
        return
    folder.mkdir(parents=True, exist_ok=True)
    os.execvp(command[0], command)  # the screen is Chromium from here on: a service manager restarts it
