"""Matching commands: the directory, `match`, and a steward's own route and category.

Each command is a thin wrapper over steward.directory.entries, steward.directory.sync
and steward.matching.matcher; those are imported inside the commands so other commands start fast.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

import click

from steward.cli import CliContext, pass_ctx
from steward.cli.options import id_argument, json_option, value_or_clear
from steward.models import CATEGORIES, ENTRY_KINDS as KINDS, MatchResult, StewardError, UsageError
from steward.util.text import one_line


def _echo_result(result: MatchResult, request_id: int | None, limit: int) -> None:
    if request_id is not None:
        click.echo(f"Request #{request_id}")
    click.echo(f"Language: {result.language}")
    cat = result.category
    why = f" — {'; '.join(one_line(r) for r in cat.reasons)}" if cat.reasons else ""
    click.echo(f"Category: {cat.key} ({cat.score}){why}")
    spam = result.spam
    if spam.likely:
        click.echo(f"Spam: likely ({spam.score}) — {'; '.join(one_line(r) for r in spam.reasons)}; "
                   f"file it with `steward status {request_id if request_id is not None else 'ID'} spam`")
    else:
        click.echo(f"Spam: unlikely ({spam.score})")
    if not result.matches:
        click.echo("No match: nothing in the directory fits this request.")
        return
    click.echo("Matches:")
    for n, m in enumerate(result.matches[:limit], 1):
        click.echo(f"  {n}. {m.key:<20} {m.score:>3}  {one_line(m.name)} ({m.kind.replace('_', ' ')})")
        for reason in m.reasons:
            click.echo(f"       {one_line(reason)}")


def _directory_key(directory, key: str) -> str:
    """`key` if the directory has it; otherwise a usage error that suggests the nearest keys."""
    if directory.get(key) is not None:
        return key
    from difflib import get_close_matches

    near = get_close_matches(key, [e.key for e in directory.entries], n=3)
    hint = f"; did you mean {', '.join(near)}?" if near else "; see `steward directory list`"
    raise UsageError(f"no directory entry '{one_line(key)}'{hint}")


def _progress(items: list, label: str):
    """A progress bar on stderr, for long runs at a terminal only."""
    stderr = sys.stderr
    if len(items) <= 20 or not stderr.isatty():
        return nullcontext(items)
    return click.progressbar(items, label=label, file=stderr, show_pos=True)


def _entry_row(entry, key_width: int = 20) -> str:
    """KEY KIND NAME in 80 columns, wide characters counted as two.

    The key is never cut (people copy it into `steward route`): the key column
    is as wide as the longest key and the name gets what is left, at least 20.
    """
    from steward.util.text import cell_width, fit, pad

    name = one_line(entry.name)
    if entry.name_en and entry.name_en.casefold() not in name.casefold():
        name += f" ({one_line(entry.name_en)})"
    key = entry.key + " " * max(0, key_width - cell_width(entry.key))
    return f"{key} {pad(entry.kind, 17)} {fit(name, max(20, 80 - key_width - 19))}".rstrip()


def _key_width(entries) -> int:
    from steward.util.text import cell_width

    return max([20, *(cell_width(e.key) for e in entries)])


@click.group("directory")
def directory_group():
    """The projects and working groups requests are routed to."""

@directory_group.command("list")
@json_option
@pass_ctx
def directory_list(cli: CliContext, as_json):
    """Every active entry, by key."""
    from steward.directory.entries import load_directory

    directory = load_directory(cli.settings)
    if as_json:
        cli.echo_json(directory.as_dicts())
        return
    width = _key_width(directory.entries)
    click.echo(f"{'KEY':<{width}} {'KIND':<17} NAME")
    for entry in directory.entries:
        click.echo(_entry_row(entry, width))

@directory_group.command("show")
@click.argument("key")
@json_option
@pass_ctx
def directory_show(cli: CliContext, key, as_json):
    """One entry: names, how to reach it, what it matches on."""
    from steward.directory.entries import load_directory

    directory = load_directory(cli.settings)
    entry = directory.get(_directory_key(directory, key))
    if as_json:
        cli.echo_json(entry.as_json())
        return
    for label, value in (
        ("Key", entry.key), ("Kind", entry.kind.replace("_", " ")), ("Name", entry.name),
        ("English name", entry.name_en), ("URL", entry.url), ("Contacts", ", ".join(entry.contacts)),
        ("Aliases", ", ".join(entry.aliases)), ("Keywords", ", ".join(entry.keywords)),
        ("Description", entry.description), ("In English", entry.description_en),
        ("From", _redacted(entry.source)),
    ):
        click.echo(f"{label + ':':<14}{one_line(value) or '-'}")

@directory_group.command("add")
@click.argument("key")
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--name", required=True, help="The name people use (Chinese if it has one).")
@click.option("--name-en", default="", help="The English name.")
@click.option("--alias", "aliases", multiple=True, help="Another name people write (repeatable).")
@click.option("--keyword", "keywords", multiple=True, help="A topic word (repeatable).")
@click.option("--url", default="")
@click.option("--contact", "contacts", multiple=True, help="A channel, list or address (repeatable).")
@click.option("--description", default="", help="One or two sentences in Chinese.")
@click.option("--description-en", default="", help="One or two sentences in English.")
@pass_ctx
def directory_add(cli: CliContext, key, kind, name, name_en, aliases, keywords, url, contacts,
                  description, description_en):
    """Add an entry to your directory file (an existing KEY there is replaced)."""
    from steward.directory.entries import add_entry, user_path

    entry = add_entry(
        cli.settings, key, kind=kind, name=name, name_en=name_en, aliases=list(aliases),
        keywords=list(keywords), url=url, contacts=list(contacts), description=description,
        description_en=description_en,
    )
    click.echo(f"added {entry.key} to {user_path(cli.settings)}")

@directory_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "json", "toml"]),
              help="Default: from the file name (.csv, .tsv, .json, .toml).")
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@pass_ctx
def directory_import(cli: CliContext, file, fmt, dry_run):
    """Add many entries at once from CSV (a `name` column), g0v.json or TOML."""
    from steward.directory.entries import user_path
    from steward.directory.importing import import_directory

    report = import_directory(cli.settings, file, fmt=fmt, dry_run=dry_run)
    for line in report.problems:
        cli.warn(f"skipped {one_line(line)}")
    for line in report.known:
        cli.warn(f"kept {one_line(line)}")
    add, update = ("would add", "update") if dry_run else ("added", "updated")
    click.echo(
        f"{add} {len(report.added)} and {update} {len(report.updated)} entries in {user_path(cli.settings)}"
        f" ({len(report.known)} already known, {len(report.problems)} skipped)"
    )
    if not report.count and report.problems:
        raise StewardError(f"{file}: no usable rows")

@directory_group.command("commonness")
@pass_ctx
def directory_commonness(cli: CliContext):
    """Learn from your inbox which words are everyday words, so project names like them need backing up."""
    from steward.directory.entries import load_directory, write_atomic_text
    from steward.matching.specificity import DATA_FILE, inbox_commonness

    table = inbox_commonness(cli.store, load_directory(cli.settings))
    path = cli.settings.config_dir / DATA_FILE
    write_atomic_text(path, table.dumps(written_by="`steward directory commonness`"))
    click.echo(f"counted {len(table.counts)} words in {table.documents} requests; written to {path}")

@directory_group.command("sync")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=None,
              help="Seconds to wait for each answer  [default: 20, as for feeds and publishing]")
@click.option("--retries", type=click.IntRange(min=0, max=10), default=3, show_default=True,
              help="Tries again after a dropped connection, 429 or 5xx.")
@pass_ctx
def directory_sync(cli: CliContext, sources, timeout, retries):
    """Fetch g0v.json project data from URLs or files (default: [directory] sources)."""
    from steward.directory.sync import sync_directory

    chosen = list(sources) or None
    count = len(chosen if chosen is not None else cli.settings.directory_sources)
    options = {"timeout": timeout, "retries": retries}
    stderr = sys.stderr
    if count > 1 and stderr.isatty():
        with click.progressbar(length=count, label="Syncing", file=stderr) as bar:
            report = sync_directory(
                cli.settings, chosen, progress=lambda done, total, src: bar.update(1), **options
            )
    else:
        report = sync_directory(cli.settings, chosen, **options)
    from steward.util.credentials import redact_urls

    for warning in report.warnings:
        cli.warn(f"warning: {redact_urls(one_line(warning))}")
    if report.synced:
        click.echo(
            f"synced {len(report.synced)} source(s): {len(report.added)} new, "
            f"{len(report.updated)} updated"
        )
    if report.failed:
        from steward.util.credentials import redact_url, redact_urls

        failures = "; ".join(
            f"{redact_url(one_line(src))}: {redact_urls(one_line(why))}" for src, why in report.failed.items()
        )
        raise StewardError(f"could not sync {failures}; the directory keeps what it last had from there")

@click.command("match")
@click.argument("ref", metavar="[ID]", required=False)
@click.option("--text", help="Match this text instead of a stored request.")
@click.option("--limit", type=click.IntRange(min=1), default=5, show_default=True)
@json_option
@pass_ctx
def match_command(cli: CliContext, ref, text, limit, as_json):
    """What a request (or a piece of text) concerns, and why. Stores nothing."""
    from steward.matching.matcher import build_matcher

    if (ref is None) == (text is None):
        raise UsageError("give a request ID or --text TEXT")
    matcher = build_matcher(cli.settings)
    if text is not None:
        request_id, result = None, matcher.match(body=text)
    else:
        request = cli.store.get(ref)
        request_id, result = request.id, matcher.match_request(request)
    if as_json:
        cli.echo_json(result.as_json(request_id, limit))
    else:
        _echo_result(result, request_id, limit)

@click.command("route")
@id_argument
@value_or_clear("key", what="a directory KEY", clear_help="Go back to the best suggested match.", error=UsageError)
@pass_ctx
def route_command(cli: CliContext, ref, key):
    """Route a request to a directory entry yourself; re-matching keeps your choice."""
    from steward.directory.entries import load_directory

    if key is not None:
        key = _directory_key(load_directory(cli.settings), key)
    request = cli.store.set_route(ref, key)
    if key is None:
        click.echo(f"#{request.id} route cleared; suggested: {request.match or 'no match'}")
    else:
        click.echo(f"#{request.id} routed to {request.match}")

@click.command("category")
@id_argument
@value_or_clear("key", what="a CATEGORY", clear_help="Go back to the suggested category.", error=UsageError)
@pass_ctx
def category_command(cli: CliContext, ref, key):
    """Set a request's category yourself; re-matching keeps your choice."""
    if key is not None and key not in CATEGORIES:
        raise UsageError(f"unknown category '{one_line(key)}'; one of: {', '.join(CATEGORIES)}")
    request = cli.store.set_category(ref, key)
    if key is None:
        click.echo(f"#{request.id} category cleared; suggested: {request.category or '-'}")
    else:
        click.echo(f"#{request.id} category: {request.category}")

@click.command("train")
@json_option
@pass_ctx
def train_command(cli: CliContext, as_json):
    """Learn the categories and routes you set by hand: models for this inbox, over the shipped ones."""
    from steward.matching.training import train_user_model

    report = train_user_model(cli.store, cli.settings)
    if as_json:
        cli.echo_json(report)
        return
    if not report["labels"] and not report["routes"]:
        click.echo("no categories or routes set by hand yet (`steward category ID KEY`, `steward route ID KEY`); "
                   "the shipped models stay in use")
        return
    if report["labels"]:
        click.echo(f"learned {report['labels']} category label(s); saved {report['path']}")
        click.echo(f"  on your labels: {report['agree_before']} right before, {report['agree_after']} after")
    if report["routes_learned"]:
        click.echo(f"learned {report['routes_learned']} route label(s); saved {report['route_path']}")
        click.echo(f"  your route first: {report['routes_before']} before, {report['routes_after']} after")
    skipped = report["routes"] - report["routes_learned"]
    if skipped:
        click.echo(f"{skipped} route label(s) name an entry the request says nothing about: nothing to learn from")

@click.command("rematch")
@click.argument("refs", nargs=-1, metavar="[ID]...")
@click.option("--all", "every", is_flag=True, help="Every request in the inbox.")
@pass_ctx
def rematch_command(cli: CliContext, refs, every):
    """Match requests again, e.g. after the directory changed. Your own choices stay."""
    from steward.matching.matcher import build_matcher, rematch

    if every == bool(refs):
        raise UsageError("give request IDs or --all")
    store = cli.store
    ids = store.all_ids() if every else [store.resolve(ref) for ref in refs]
    matcher = build_matcher(cli.settings)
    with _progress(ids, "Matching") as bar:
        changed = rematch(store, matcher, bar)
    click.echo(f"rematched {len(ids)} request(s); {changed} changed route or category")


COMMANDS = (directory_group, match_command, route_command, category_command, train_command, rematch_command)


def register(group: click.Group) -> None:
    """Add this module's COMMANDS to `group` (steward.cli loads the module when one is run)."""
    for command in COMMANDS:
        group.add_command(command)


def _redacted(url: str | None) -> str:
    from steward.util.credentials import redact_url

    return redact_url(url or "")
