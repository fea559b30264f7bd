"""`steward export` (the weekly summary) and `steward publish` (HackMD, Slack)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from steward.cli import CliContext, pass_ctx
from steward.cli.options import json_option
from steward.models import UsageError


def choose_period(week: str | None, since: str | None, until: str | None, settings, now=None):
    """The period the options name; by default the last complete ISO week, local time."""
    from datetime import datetime, timezone

    from steward.summary.data import Period

    if week and (since or until):
        raise UsageError("use either --week or --since/--until, not both")
    if week:
        return Period.iso_week(week)
    if until and not since:
        raise UsageError("--until needs --since")
    now = now or datetime.now(timezone.utc)
    if since:
        return Period.between(since, until or now.astimezone(settings.tz).date())
    return Period.last_complete_week(now, settings.tz)


@click.command("export")
@click.option("--week", metavar="YYYY-Www", help="An ISO week, such as 2026-W47.")
@click.option("--since", metavar="DATE", help="First day (YYYY-MM-DD), local time.")
@click.option("--until", metavar="DATE", help="Last day, included (default: today).")
@click.option("--lang", type=click.Choice(["zh-TW", "en"]), help="Language of the Markdown (default: from config).")
@click.option("--public", is_flag=True, help="Leave out names, e-mail addresses, phone numbers and assignees.")
@json_option(help="The same figures as JSON, for scripts.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout.")
@pass_ctx
def export_command(cli: CliContext, week, since, until, lang, public, as_json, out):
    """The weekly summary as Markdown (default: last complete week)."""
    from steward.summary.data import build_summary
    from steward.summary.markdown import render_markdown

    settings = cli.settings
    period = choose_period(week, since, until, settings)
    summary = build_summary(cli.store, settings, period=period, public=public)
    if as_json:
        text = json.dumps(summary.as_json(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_markdown(summary, lang=lang or settings.language)
    if out is None:
        click.echo(text, nl=False)
        return
    from steward.util.files import write_atomic

    # A summary with names in it is for the stewards' eyes only.
    write_atomic(out, text, mode=0o644 if public else 0o600)
    what = "public summary" if public else "summary (contains names: not for publishing)"
    click.echo(f"Wrote the {period.label} {what} to {out}", err=True)

@click.command("publish")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "target", type=click.Choice(["hackmd", "slack"]), required=True)
@click.option("--dry-run", is_flag=True, help="Show the request instead of sending it; needs no token.")
@click.option("--allow-private", is_flag=True, help="Publish a summary that was not exported with --public.")
@json_option
@pass_ctx
def publish_command(cli: CliContext, file, target, dry_run, allow_private, as_json):
    """Publish a summary FILE to HackMD (create or update a note) or Slack."""
    from steward.summary.publish import publish

    from steward.models import StewardError

    names = ()
    if not allow_private:
        try:
            names = cli.store.people_names()
        except StewardError as exc:
            cli.warn(f"steward: checking without the inbox's names: {exc}")
    result = publish(file, to=target, settings=cli.settings, dry_run=dry_run, allow_private=allow_private,
                     known_names=names)
    for warning in result.warnings:
        cli.warn(f"steward: {warning}")
    if as_json:
        cli.echo_json(result.as_dict())
    elif dry_run:
        click.echo(f"{result.method} {result.url}")
        for name, value in result.headers.items():
            click.echo(f"{name}: {value}")
        click.echo()
        click.echo(json.dumps(result.body, ensure_ascii=False, indent=2))
    elif target == "slack":
        click.echo("Posted the summary to Slack.")
    else:
        verb = "Updated" if result.action == "update" else "Created"
        click.echo(f"{verb} HackMD note {result.note_id}" + (f": {result.link}" if result.link else ""))


COMMANDS = (export_command, publish_command)


def register(group: click.Group) -> None:
    """Add this module's COMMANDS to `group` (steward.cli loads the module when one is run)."""
    for command in COMMANDS:
        group.add_command(command)
