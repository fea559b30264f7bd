"""The `steward` command (and `python -m steward`).

Opening the inbox is what a steward does many times a day, so `steward` and
`steward --db FILE` go straight to the app without loading the command-line
framework. Anything else, and any problem before the app starts, goes through
the click CLI, which parses, reports errors and sets the exit code.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    database = _database_of_a_plain_launch(args)
    if database is not None:
        # Start-up allocates many objects that live as long as the app, and the cyclic
        # collector would walk them again and again while Textual loads: hold it off
        # until the first screen is drawn (some 5% of the launch), then set those
        # objects aside for good (gc.freeze) so later collections skip them too.
        gc.disable()
        from steward.models import StewardError

        try:
            from steward.config.settings import load_settings
            from steward.tui.launch import prepare, run_app

            settings = load_settings(None, database=database or None)
            first_page = prepare(settings, settings.database)
        except (StewardError, OSError, sqlite3.Error):
            pass  # the CLI path below reports it as for any command (and turns the collector back on)
        else:
            code = run_app(settings, settings.database, first_page, after_first_paint=_collect_again)
            if code:
                sys.exit(code)
            return

    # A command lives for a moment, and what the imports build lives as long: no
    # collection while they load, then take it out of the collector's sight, so neither
    # a later collection nor the one at exit walks through it (about 8 ms of `steward
    # list`'s 64). The command itself runs with the collector on.
    gc.disable()
    from steward.cli import main as cli

    _collect_again()
    cli.main(args=args, prog_name="steward")


def _collect_again() -> None:
    gc.freeze()
    gc.enable()


def _database_of_a_plain_launch(args: list[str]) -> str | None:
    """'' for `steward`, FILE for `steward --db FILE`; None when the CLI must decide."""
    if not args:
        return ""
    if len(args) == 2 and args[0] == "--db":
        value = args[1]
    elif len(args) == 1 and args[0].startswith("--db="):
        value = args[0][len("--db="):]
    else:
        return None
    if not value or value.startswith("-") or os.path.isdir(value):
        return None  # click says what is wrong with it
    return value


if __name__ == "__main__":
    main()
