"""Setting up: init, config show/check, and the demo inbox."""

from __future__ import annotations

from pathlib import Path

import click

from steward.cli import CliContext, pass_ctx, run_tui
from steward.models import ConfigError


def _demo_activity(store, steward_name: str) -> None:
    """Give the demo inbox some history so every column and tab has something to show."""
    from datetime import timedelta

    ids = store.all_ids()
    plan = [
        ("triaged", steward_name, ["partner"], 3),
        ("drafting", steward_name, [], None),
        ("waiting", "mei", ["follow-up"], -2),
        ("replied", "mei", [], None),
        ("closed", steward_name, [], None),
        ("triaged", None, ["urgent"], 1),
    ]
    today = store.today()
    for index, request_id in enumerate(ids[:: max(1, len(ids) // 18)]):
        status, who, tags, due = plan[index % len(plan)]
        store.set_status(request_id, status)
        if who:
            store.assign(request_id, who)
        if tags:
            store.add_tags(request_id, tags)
        if due is not None:
            store.set_follow_up(request_id, today + timedelta(days=due))
    spam = [r.id for r in store.list_requests(limit=500) if r.category == "other" and r.match is None]
    if spam:
        store.set_status(spam[0], "spam", note="Demo: obvious spam.")


def register(main: click.Group) -> None:
    @main.command("init")
    @click.option("--force", is_flag=True, help="Overwrite an existing config file.")
    @click.option("--name", help="Your name as a steward.")
    @click.option("--language", type=click.Choice(["zh-TW", "en"]))
    @click.pass_context
    def init_command(ctx: click.Context, force, name, language):
        """Write a commented starter config."""
        from steward.config import find_config, user_config_dir, write_starter_config

        cli: CliContext = ctx.obj
        target, origin = find_config(cli.config_path)
        path = target if target is not None else user_config_dir() / "config.toml"
        written = write_starter_config(path, force=force, name=name, language=language)
        click.echo(f"Wrote {written}")

    @main.group("config")
    def config_group():
        """Show or check the configuration."""

    @config_group.command("show")
    @click.option("--json", "as_json", is_flag=True)
    @pass_ctx
    def config_show(cli: CliContext, as_json):
        """The effective settings and where each came from."""
        from steward.credentials import redact_values

        settings = cli.settings
        values = redact_values(settings.as_dict())  # no user:password@ or ?key= of a feed or source
        origins = {key: settings.origins.get(key, "default") for key in values}
        if as_json:
            cli.echo_json({
                "config_file": str(settings.config_file) if settings.config_file else None,
                "config_dir": str(settings.config_dir),
                "settings": values,
                "origins": origins,
            })
            return
        click.echo(f"# config file: {settings.config_file or '(none: defaults)'}")
        click.echo(f"# config dir:  {settings.config_dir}")
        for key, value in values.items():
            click.echo(f"{key} = {value!r}    # {origins[key]}")

    @config_group.command("check")
    @pass_ctx
    def config_check(cli: CliContext):
        """Check the config, directory, templates and guidance; exit 2 on any problem."""
        problems: list[str] = []
        try:
            settings = cli.settings
        except ConfigError as exc:
            raise click.exceptions.Exit(_report([str(exc)]))
        checks = []
        try:
            from steward.cli.drafting import config_check_problems

            checks.append(config_check_problems)
        except ImportError:
            pass
        try:
            from steward.directory import load_directory

            checks.append(lambda s: (load_directory(s), [])[1])
        except ImportError:
            pass
        for check in checks:
            try:
                problems.extend(check(settings))
            except ConfigError as exc:
                problems.append(str(exc))
        raise click.exceptions.Exit(_report(problems))

    @main.command("demo")
    @click.option("--reset", is_flag=True, help="Rebuild the demo inbox from scratch.")
    @click.option("--size", type=click.IntRange(min=1), help="Write N synthetic requests (no app) for benchmarks.")
    @click.option("--seed", type=int, default=0, show_default=True, help="With --size: the generator's seed.")
    @click.option("--db", "db", type=click.Path(dir_okay=False), help="The demo inbox file (as the global --db).")
    @pass_ctx
    def demo_command(cli: CliContext, reset, size, seed, db):
        """Open the app on a demo inbox (or, with --size, just build a big one)."""
        if db:
            cli.db_option = db
        from steward import demo
        from steward.config import user_data_dir
        from steward.matching import build_matcher

        settings = cli.settings
        if size:
            if not cli.db_option:
                raise click.UsageError("--size needs --db PATH (the demo never fills your real inbox)")
            store = cli.open_store(Path(cli.db_option))
            matcher = build_matcher(settings)
            report = store.import_requests(demo.synthetic_requests(size, seed=seed), matcher=matcher, batch_size=2000)
            click.echo(f"{report.imported} requests written to {cli.db_option} ({report.duplicates} already there)")
            return
        path = Path(cli.db_option) if cli.db_option else user_data_dir() / "demo.db"
        if reset and path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        fresh = not path.exists()
        store = cli.open_store(path)
        if fresh or store.count() == 0:
            store.import_requests(demo.demo_requests(settings.tz), matcher=build_matcher(settings))
            _demo_activity(store, settings.steward_name)
        store.close()
        run_tui(cli, path)


def _report(problems: list[str]) -> int:
    if not problems:
        click.echo("Config, directory, templates and guidance: all good.")
        return 0
    for problem in problems:
        click.echo(f"steward: {problem}", err=True)
    return 2
