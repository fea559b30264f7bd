"""The command line: every command is a thin wrapper over a core function.

Commands that don't open the TUI never import Textual, so they start fast.
"""

from __future__ import annotations

import json
import sys
from functools import cached_property, update_wrapper
from pathlib import Path

import click

from steward.models import StewardError


class CliContext:
    """What every command needs: settings, the inbox (opened on first use), output helpers."""

    def __init__(self, config: str | None, db: str | None, debug: bool):
        self.config_path = config
        self.db_option = db
        self.debug = debug

    @cached_property
    def settings(self):
        from steward.config.settings import load_settings

        return load_settings(self.config_path, database=self.db_option)

    @cached_property
    def store(self):
        return self.open_store()

    def open_store(self, path: Path | None = None):
        """The configured inbox (or `path`), opened as the configured steward."""
        from steward.store import Store

        return Store.open_for(self.settings, path)

    @staticmethod
    def echo_json(value) -> None:
        click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))

    @staticmethod
    def warn(message: str) -> None:
        click.echo(message, err=True)


def pass_ctx(f):
    """Hand the command our CliContext, like click.pass_obj but typed and named."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args, **kwargs):
        return ctx.invoke(f, ctx.find_object(CliContext), *args, **kwargs)

    return update_wrapper(wrapper, f)


# Each command's module, imported only when that command runs: `steward` alone
# (the app) and `steward list` skip the others' imports.
COMMAND_MODULES = {
    **dict.fromkeys(["list", "show", "status", "assign", "tag", "note", "follow-up"], "inbox"),
    **dict.fromkeys(["init", "config", "demo"], "setup"),
    **dict.fromkeys(["directory", "match", "route", "category", "rematch", "train"], "matching"),
    **dict.fromkeys(["draft", "checklist", "templates"], "drafting"),
    **dict.fromkeys(["import", "fetch"], "intake"),
    **dict.fromkeys(["export", "publish"], "summary"),
    **dict.fromkeys(["org", "agreement", "commitment"], "partners"),
}


class StewardGroup(click.Group):
    """Loads commands lazily; turns errors a user can cause into one line and an exit code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded: set[str] = set()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, name: str):
        module = COMMAND_MODULES.get(name)
        if module is not None and module not in self._loaded:
            self._loaded.add(module)
            import importlib

            importlib.import_module(f"steward.cli.{module}").register(self)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StewardError as exc:
            if _debugging(ctx):
                raise
            click.echo(f"steward: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:
            # One line, as the README promises, instead of click's usage block.
            if _debugging(ctx):
                raise
            click.echo(f"steward: {_one_line_usage(exc)}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("steward: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # `steward list | head` closed the pipe: not an error worth a traceback.
            sys.stderr.close()
            ctx.exit(0)
        except OSError as exc:
            if _debugging(ctx):
                raise
            click.echo(f"steward: {exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}", err=True)
            ctx.exit(1)
        except Exception as exc:  # noqa: BLE001 - last resort: a line, not a traceback
            import sqlite3

            if _debugging(ctx) or not isinstance(exc, sqlite3.Error):
                raise
            click.echo(f"steward: database error: {exc}", err=True)
            ctx.exit(1)


def _one_line_usage(exc: click.UsageError) -> str:
    import re

    message = " ".join(exc.format_message().split())
    # A 5,000-digit value is not echoed whole.
    message = re.sub(r"\S{61,}", lambda m: m[0][:40] + "…" + m[0][-4:], message)
    command = exc.ctx.command_path if exc.ctx is not None else "steward"
    return f"{message} (see '{command} --help')"


def _debugging(ctx: click.Context) -> bool:
    obj = ctx.find_object(CliContext)
    return bool(obj and obj.debug)


@click.group(cls=StewardGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="STEWARD_DB", type=click.Path(dir_okay=False), help="The inbox file (env STEWARD_DB).")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Config file (env STEWARD_CONFIG).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="steward")
@click.pass_context
def main(ctx: click.Context, db: str | None, config: str | None, debug: bool) -> None:
    """steward: triage partner requests from the terminal.

    With no command, opens the inbox in the full-screen app.
    """
    ctx.obj = CliContext(config, db, debug)
    if ctx.invoked_subcommand is None:
        run_tui(ctx.obj, ctx.obj.settings.database)


def run_tui(cli: CliContext, database: Path) -> None:
    from steward.tui.launch import prepare, run_app

    first_page = prepare(cli.settings, database)
    code = run_app(cli.settings, database, first_page)
    if code:
        sys.exit(code)
