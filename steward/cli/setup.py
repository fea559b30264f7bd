"""Setting up: init, config show/check, and the demo inbox."""

from __future__ import annotations

from pathlib import Path

import click

from steward.cli import CliContext, pass_ctx, run_tui
from steward.cli.options import json_option
from steward.models import ConfigError


@click.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.option("--name", help="Your name as a steward.")
@click.option("--language", type=click.Choice(["zh-TW", "en"]))
@click.pass_context
def init_command(ctx: click.Context, force, name, language):
    """Write a commented starter config."""
    from steward.config.settings import find_config, user_config_dir, write_starter_config

    cli: CliContext = ctx.obj
    target, origin = find_config(cli.config_path)
    path = target if target is not None else user_config_dir() / "config.toml"
    written = write_starter_config(path, force=force, name=name, language=language)
    click.echo(f"Wrote {written}")

@click.group("config")
def config_group():
    """Show or check the configuration."""

@config_group.command("show")
@json_option
@pass_ctx
def config_show(cli: CliContext, as_json):
    """The effective settings and where each came from."""
    from steward.config.settings import shown_settings

    settings = cli.settings
    shown = shown_settings(settings)
    if as_json:
        cli.echo_json(shown)
        return
    values, origins = shown["settings"], shown["origins"]
    from steward.config.declaration import BY_KEY

    click.echo(f"# config file: {settings.config_file or '(none: defaults)'}")
    click.echo(f"# config dir:  {settings.config_dir}")
    for key, value in values.items():
        doc = BY_KEY[key].doc if key in BY_KEY else ""
        click.echo(f"{key} = {value!r}    # {origins[key]}{'; ' + doc if doc else ''}")

@config_group.command("set")
@click.argument("key")
@click.argument("value")
@pass_ctx
def config_set(cli: CliContext, key, value):
    """Set KEY (e.g. steward.name) to VALUE in your config file."""
    from steward.config.settings import find_config, set_value, user_config_dir

    target, _origin = find_config(cli.config_path)
    path = target if target is not None else user_config_dir() / "config.toml"
    set_value(path, key, value)
    click.echo(f"{key} set in {path}")

@config_group.command("check")
@pass_ctx
def config_check(cli: CliContext):
    """Check the config, categories, directory, templates and guidance; exit 2 on any problem."""
    try:
        settings = cli.settings
    except ConfigError as exc:
        raise click.exceptions.Exit(_report([str(exc)], []))
    from steward.config.checks import check_everything

    try:
        report = check_everything(settings)
    except ConfigError as exc:
        raise click.exceptions.Exit(_report([str(exc)], []))
    raise click.exceptions.Exit(_report(report.problems, report.warnings))

@click.command("demo")
@click.option("--reset", is_flag=True, help="Rebuild the demo inbox from scratch (only ever a demo file).")
@click.option("--size", type=click.IntRange(min=1, max=10_000_000),
              help="Write N synthetic requests (no app) for benchmarks.")
@click.option("--seed", type=int, default=0, show_default=True, help="With --size: the generator's seed.")
# Deliberately not the group's --db (which $STEWARD_DB feeds): the demo never
# touches the real inbox, only a file it made and marked as a demo.
@click.option("--db", "db", type=click.Path(dir_okay=False),
              help="The demo's own inbox file (default: demo.db in the data directory; never $STEWARD_DB).")
@pass_ctx
def demo_command(cli: CliContext, reset, size, seed, db):
    """Open the app on a demo inbox (or, with --size, just build a big one)."""
    from steward.demo import build as demo

    settings = cli.settings
    if size:
        if not db:
            raise click.UsageError("--size needs the demo's own --db PATH: steward demo --size N --db PATH")
        report = demo.fill_synthetic_inbox(settings, Path(db), size, seed=seed)
        click.echo(f"{report.imported} requests written to {db} ({report.duplicates} already there)")
        return
    path = Path(db) if db else demo.default_demo_path()
    demo.build_demo_inbox(settings, path, reset=reset)
    run_tui(cli, path)


COMMANDS = (init_command, config_group, demo_command)


def register(group: click.Group) -> None:
    """Add this module's COMMANDS to `group` (steward.cli loads the module when one is run)."""
    for command in COMMANDS:
        group.add_command(command)


def _report(problems: list[str], warnings: list[str]) -> int:
    for warning in warnings:
        click.echo(f"steward: warning: {warning}", err=True)
    if not problems:
        click.echo("Config, categories, directory, templates and guidance: all good.")
        return 0
    for problem in problems:
        click.echo(f"steward: {problem}", err=True)
    return 2
