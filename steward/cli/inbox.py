"""Inbox commands: list, show and the actions a steward takes on a request."""

from __future__ import annotations

import click

from steward.cli import CliContext, pass_ctx
from steward.cli.options import id_argument, json_option, value_or_clear
from steward.models import CATEGORIES, STATUSES, Request


MAX_LIMIT = 1_000_000


def _table(requests: list[Request], tz) -> str:
    from steward.util.text import one_line, pad

    # 80 columns: 5+1 +5+1 +9+1 +10+1 +16+1 +30 = 80
    lines = [f"{'ID':>5} {'DATE':<5} {'STATUS':<9} {'CATEGORY':<10} {'FROM':<16} SUBJECT"]
    for r in requests:
        who = one_line(r.organization or r.from_name or r.from_email) or "-"
        subject = one_line(r.subject) or one_line(r.body)
        lines.append(
            f"{r.id:>5} {r.received_at.astimezone(tz):%m-%d} {r.status:<9} "
            f"{pad(r.category or '-', 10)} {pad(who, 16)} {pad(subject, 30).rstrip()}"
        )
    return "\n".join(lines)


@click.command("list")
@click.option("--status", help="A status, several joined by commas, or 'open'.")
@click.option("--category", type=click.Choice(CATEGORIES))
@click.option("--match", "match_key", metavar="KEY", help="Routed project or working group.")
@click.option("--tag")
@click.option("--assignee", help="A name, 'me' (我), or 'nobody' (無).")
@click.option("--query", "-q", default="", help="Text to search for (and filter tokens).")
@click.option("--limit", type=click.IntRange(min=1, max=MAX_LIMIT), default=50, show_default=True)
@json_option
@pass_ctx
def list_command(cli: CliContext, status, category, match_key, tag, assignee, query, limit, as_json):
    """List requests, newest first."""
    from steward.store.filtering import list_filter

    flt = list_filter(query, me=cli.settings.steward_name, status=status, category=category, match=match_key,
                      tag=tag, assignee=assignee)
    requests = cli.store.list_requests(flt, limit=limit)
    if as_json:
        cli.echo_json([r.as_json() for r in requests])
    elif requests:
        click.echo(_table(requests, cli.settings.tz))
    else:
        click.echo("No requests.", err=True)

@click.command("show")
@id_argument
@json_option
@pass_ctx
def show_command(cli: CliContext, ref, as_json):
    """Everything about one request: the body, matches, drafts and history."""
    from steward.store import request_details

    request = cli.store.get(ref)
    details = request_details(cli.store, request)
    if as_json:
        cli.echo_json(details)
        return
    from steward.util.text import clean_text

    from steward.labels import category_label, channel_label, status_label

    def labelled(name: str, key: str) -> str:  # the name a steward reads, and the key commands take
        return name if name == key else f"{name} ({key})"

    tz = cli.settings.tz
    language = cli.settings.language
    click.echo(f"#{request.id}  {clean_text(request.subject) or '(no subject)'}")
    sender = " ".join(filter(None, [request.from_name, f"<{request.from_email}>" if request.from_email else ""]))
    for label, value in (
        ("From", sender), ("Organization", request.organization),
        ("Channel", labelled(channel_label(request.channel, language), request.channel)),
        ("Received", f"{request.received_at.astimezone(tz):%Y-%m-%d %H:%M %Z}"),
        ("Status", labelled(status_label(request.status, language), request.status)),
        ("Category", labelled(category_label(request.category, language), request.category) if request.category else "-"),
        ("Routed to", request.match or "no match"), ("Assignee", request.assignee or "-"),
        ("Tags", ", ".join(request.tags) or "-"),
        ("Follow up", request.follow_up_on.isoformat() if request.follow_up_on else "-"),
    ):
        click.echo(f"{label + ':':<14}{clean_text(value)}")
    click.echo()
    click.echo(clean_text(request.body))
    for m in details["messages"][1:]:
        click.echo(f"\n--- reply from {clean_text(m['from_name'] or m['from_email'])} at {m['received_at']}")
        click.echo(clean_text(m["body"]))
    click.echo("\nHistory:")
    for e in details["history"]:
        change = e["detail"] if e["action"] == "note" else f"{e['old'] or ''} → {e['new'] or ''}"
        click.echo(f"  {e['at']}  {e['actor']}  {e['action']}: {clean_text(change)}")

@click.command("status")
@id_argument
@click.argument("status", type=click.Choice(STATUSES), metavar="STATUS")
@click.option("--note", help="Say why, in the history.")
@pass_ctx
def status_command(cli: CliContext, ref, status, note):
    """Move a request to another status (any move is allowed)."""
    request = cli.store.set_status(ref, status, note=note)
    click.echo(f"#{request.id} is {request.status}")

@click.command("assign")
@id_argument
@value_or_clear("name", what="a NAME", clear_help="Unassign.")
@pass_ctx
def assign_command(cli: CliContext, ref, name):
    """Assign a request to a steward ('me' or 我 works; 'nobody' unassigns)."""
    request = cli.store.assign(ref, name)
    click.echo(f"#{request.id} assigned to {request.assignee}" if request.assignee else f"#{request.id} unassigned")

@click.command("tag")
@id_argument
@click.argument("tags", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Remove these tags instead.")
@pass_ctx
def tag_command(cli: CliContext, ref, tags, remove):
    """Add (or remove) tags."""
    store = cli.store
    request = store.remove_tags(ref, tags) if remove else store.add_tags(ref, tags)
    click.echo(f"#{request.id} tags: {', '.join(request.tags) or '-'}")

@click.command("note")
@id_argument
@click.argument("text")
@pass_ctx
def note_command(cli: CliContext, ref, text):
    """Add a note to the history."""
    request = cli.store.add_note(ref, text)
    click.echo(f"#{request.id} note added")

@click.command("follow-up")
@id_argument
@value_or_clear("when", what="a DATE", metavar="DATE|+Nd")
@pass_ctx
def follow_up_command(cli: CliContext, ref, when):
    """Set a follow-up date: 2026-12-01, +3d, tomorrow, next mon."""
    from steward.util.dates import parse_date

    store = cli.store
    on = None if when is None else parse_date(when, store.today())
    request = store.set_follow_up(ref, on)
    click.echo(f"#{request.id} follow up on {request.follow_up_on}" if on else f"#{request.id} follow-up cleared")


COMMANDS = (list_command, show_command, status_command, assign_command, tag_command, note_command, follow_up_command)


def register(group: click.Group) -> None:
    """Add this module's COMMANDS to `group` (steward.cli loads the module when one is run)."""
    for command in COMMANDS:
        group.add_command(command)
