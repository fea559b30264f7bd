"""`steward import` and `steward fetch`: getting requests into the inbox."""

from __future__ import annotations

import sys
import time

import click

from steward.cli import CliContext, pass_ctx
from steward.cli.options import json_option
from steward.intake import FORMATS
from steward.models import ImportReport

MAX_WARNINGS_SHOWN = 20


class _Counter:
    """A record counter on stderr, rewritten in place.

    Shown only on a terminal and only once an import has run for a second, so
    short imports, pipes and cron logs stay clean.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.count = 0
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.shown = False

    def __call__(self, done: int) -> None:
        self.count += done
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started >= 1.0 and now - self.drawn_at >= 0.1:
            click.echo(f"\rsteward: {self.count:,} records read…", err=True, nl=False)
            self.drawn_at = now
            self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("\r\x1b[K", err=True, nl=False)


def _counter(quiet: bool) -> _Counter:
    return _Counter(enabled=not quiet and sys.stderr.isatty())


def closing_line(report: ImportReport) -> str:
    return (
        f"imported {report.imported}, duplicates {report.duplicates}, "
        f"threaded replies {report.threaded}, failed {report.failed}"
    )


def _report_problems(report: ImportReport, *, quiet: bool) -> None:
    for error in report.errors:
        click.echo(str(error), err=True)
    if quiet:
        return
    for warning in report.warnings[:MAX_WARNINGS_SHOWN]:
        click.echo(f"warning: {warning}", err=True)
    hidden = len(report.warnings) - MAX_WARNINGS_SHOWN
    if hidden > 0:
        click.echo(f"… and {hidden} more warnings (--json lists them all)", err=True)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS, case_sensitive=False),
    help="Read every FILE as this format instead of guessing from its name and content.",
)
@json_option(help="Print the import report as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress, warnings or summary; only failed records.")
@pass_ctx
def import_command(cli: CliContext, files: tuple[str, ...], fmt: str | None, as_json: bool, quiet: bool) -> None:
    """Import requests from FILEs: .eml, mbox, Maildir directories, CSV form exports, JSON and JSONL.

    Records already in the inbox are skipped, replies join their request's
    conversation. Each record that cannot be read is named on stderr as
    FILE:RECORD; the exit code is then 1.
    """
    from steward.intake.pipeline import import_paths

    counter = _counter(quiet)
    try:
        report = import_paths(cli.store, files, cli.settings, fmt=fmt, progress=counter)
    finally:
        counter.close()
    _report_problems(report, quiet=quiet)
    if as_json:
        cli.echo_json(report.as_dict())
    if not quiet:
        click.echo(closing_line(report), err=as_json)
    if report.failed:
        sys.exit(1)


@click.command("fetch")
@click.argument("names", nargs=-1)
@json_option(help="Print one report per feed as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress, warnings or summary; only failures.")
@pass_ctx
def fetch_command(cli: CliContext, names: tuple[str, ...], as_json: bool, quiet: bool) -> None:
    """Pull new requests from the JSON feeds in the config ([[feeds]]); all of them unless NAMEs are given.

    Each feed remembers its cursor, so a fetch only brings what is new.
    """
    from steward.intake.pipeline import fetch_feeds

    counter = _counter(quiet)
    try:
        outcomes = fetch_feeds(cli.store, cli.settings, names, progress=counter)
    finally:
        counter.close()
    failed = False
    for outcome in outcomes:
        _report_problems(outcome.report, quiet=quiet)
        if outcome.error:
            click.echo(f"steward: feed {outcome.name!r}: {outcome.error}", err=True)
        failed = failed or bool(outcome.error or outcome.report.failed)
    if as_json:
        cli.echo_json([outcome.as_json() for outcome in outcomes])
    if not quiet:
        for outcome in outcomes:
            click.echo(f"{outcome.name}: {closing_line(outcome.report)}", err=as_json)
    if failed:
        sys.exit(1)


COMMANDS = (import_command, fetch_command)


def register(group: click.Group) -> None:
    """Add this module's COMMANDS to `group` (steward.cli loads the module when one is run)."""
    for command in COMMANDS:
        group.add_command(command)
