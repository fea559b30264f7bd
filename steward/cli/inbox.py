"""Inbox commands: list, show and the actions a steward takes on a request."""

from __future__ import annotations

import click

from steward.cli import CliContext, pass_ctx
from steward.models import CATEGORIES, STATUSES, Request


MAX_LIMIT = 1_000_000


def request_summary(r: Request) -> dict:
    """The `list --json` contract: these keys, in this order."""
    return {
        "id": r.id,
        "external_id": r.external_id,
        "received_at": _iso(r.received_at),
        "channel": r.channel,
        "from_name": r.from_name,
        "from_email": r.from_email,
        "organization": r.organization,
        "subject": r.subject,
        "language": r.language,
        "status": r.status,
        "category": r.category,
        "match": r.match,
        "assignee": r.assignee,
        "tags": list(r.tags),
        "follow_up_on": r.follow_up_on.isoformat() if r.follow_up_on else None,
    }


def _iso(moment) -> str:
    from steward.store import to_iso

    return to_iso(moment)


def request_details(cli: CliContext, r: Request) -> dict:
    store = cli.store
    guess = store.category_guess(r.id)
    return {
        **request_summary(r),
        "body": r.body,
        "version": r.version,
        "category_manual": r.category_manual,
        "match_manual": r.match_manual,
        "updated_at": _iso(r.updated_at),
        "updated_by": r.updated_by,
        "suggested_category": (
            {"key": guess.key, "score": guess.score, "reasons": guess.reasons} if guess else None
        ),
        "matches": [{"key": m.key, "score": m.score, "reasons": m.reasons} for m in store.matches(r.id)],
        "messages": [
            {
                "received_at": _iso(m.received_at), "from_name": m.from_name, "from_email": m.from_email,
                "subject": m.subject, "body": m.body, "attachments": m.attachments,
            }
            for m in store.messages(r.id)
        ],
        "drafts": [
            {
                "version": d.version, "template": d.template, "language": d.language, "body": d.body,
                "created_at": _iso(d.created_at), "author": d.author,
                "sent_at": _iso(d.sent_at) if d.sent_at else None,
            }
            for d in store.drafts(r.id)
        ],
        "checklist": store.checklist_state(r.id),
        "history": [
            {"at": _iso(e.at), "actor": e.actor, "action": e.action, "old": e.old, "new": e.new, "detail": e.detail}
            for e in store.history(r.id)
        ],
    }


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


def register(main: click.Group) -> None:
    @main.command("list")
    @click.option("--status", help="A status, several joined by commas, or 'open'.")
    @click.option("--category", type=click.Choice(CATEGORIES))
    @click.option("--match", "match_key", metavar="KEY", help="Routed project or working group.")
    @click.option("--tag")
    @click.option("--assignee", help="A name, 'me' (我), or 'nobody' (無).")
    @click.option("--query", "-q", default="", help="Text to search for (and filter tokens).")
    @click.option("--limit", type=click.IntRange(min=1, max=MAX_LIMIT), default=50, show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    @pass_ctx
    def list_command(cli: CliContext, status, category, match_key, tag, assignee, query, limit, as_json):
        """List requests, newest first."""
        from steward.store.filtering import assignee_filter, parse_filter, statuses_for

        me = cli.settings.steward_name
        flt = parse_filter(query, me=me)
        if status:
            flt.statuses = statuses_for(status)
        flt.category = category or flt.category
        flt.match = match_key or flt.match
        flt.tag = tag or flt.tag
        if assignee:
            flt.assignee = assignee_filter(assignee, me=me)
        requests = cli.store.list_requests(flt, limit=limit)
        if as_json:
            cli.echo_json([request_summary(r) for r in requests])
        elif requests:
            click.echo(_table(requests, cli.settings.tz))
        else:
            click.echo("No requests.", err=True)

    @main.command("show")
    @click.argument("ref", metavar="ID")
    @click.option("--json", "as_json", is_flag=True)
    @pass_ctx
    def show_command(cli: CliContext, ref, as_json):
        """Everything about one request: the body, matches, drafts and history."""
        request = cli.store.get(ref)
        details = request_details(cli, request)
        if as_json:
            cli.echo_json(details)
            return
        from steward.labels import category_label, channel_label, status_label
        from steward.util.text import clean_text

        def labelled(name: str, key: str) -> str:  # the name a steward reads, and the key commands take
            return name if name == key else f"{name} ({key})"

        tz = cli.settings.tz
        language = cli.settings.language
        click.echo(f"#{request.id}  {clean_text(request.subject) or '(no subject)'}")
        sender = " ".join(filter(None, [request.from_name, f"<{request.from_email}>" if request.from_email else ""]))
        for label, value in (
            ("From", sender), ("Organization", request.organization), ("Channel", labelled(channel_label(request.channel, language), request.channel)),
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

    @main.command("status")
    @click.argument("ref", metavar="ID")
    @click.argument("status", type=click.Choice(STATUSES), metavar="STATUS")
    @click.option("--note", help="Say why, in the history.")
    @pass_ctx
    def status_command(cli: CliContext, ref, status, note):
        """Move a request to another status (any move is allowed)."""
        request = cli.store.set_status(ref, status, note=note)
        click.echo(f"#{request.id} is {request.status}")

    @main.command("assign")
    @click.argument("ref", metavar="ID")
    @click.argument("name", required=False)
    @click.option("--clear", is_flag=True, help="Unassign.")
    @pass_ctx
    def assign_command(cli: CliContext, ref, name, clear):
        """Assign a request to a steward ('me' or 我 works; 'nobody' unassigns)."""
        if clear == bool(name):
            raise click.UsageError("give a NAME or --clear")
        request = cli.store.assign(ref, None if clear else name)
        click.echo(f"#{request.id} assigned to {request.assignee}" if request.assignee else f"#{request.id} unassigned")

    @main.command("tag")
    @click.argument("ref", metavar="ID")
    @click.argument("tags", nargs=-1, required=True)
    @click.option("--remove", is_flag=True, help="Remove these tags instead.")
    @pass_ctx
    def tag_command(cli: CliContext, ref, tags, remove):
        """Add (or remove) tags."""
        store = cli.store
        request = store.remove_tags(ref, tags) if remove else store.add_tags(ref, tags)
        click.echo(f"#{request.id} tags: {', '.join(request.tags) or '-'}")

    @main.command("note")
    @click.argument("ref", metavar="ID")
    @click.argument("text")
    @pass_ctx
    def note_command(cli: CliContext, ref, text):
        """Add a note to the history."""
        request = cli.store.add_note(ref, text)
        click.echo(f"#{request.id} note added")

    @main.command("follow-up")
    @click.argument("ref", metavar="ID")
    @click.argument("when", required=False, metavar="DATE|+Nd")
    @click.option("--clear", is_flag=True)
    @pass_ctx
    def follow_up_command(cli: CliContext, ref, when, clear):
        """Set a follow-up date: 2026-12-01, +3d, tomorrow, next mon."""
        from steward.util.dates import parse_date

        if clear == bool(when):
            raise click.UsageError("give a DATE or --clear")
        store = cli.store
        on = None if clear else parse_date(when, store.today())
        request = store.set_follow_up(ref, on)
        click.echo(f"#{request.id} follow up on {request.follow_up_on}" if on else f"#{request.id} follow-up cleared")
