"""Partner memory: `steward org …`, `steward agreement add`, `steward commitment …`.

Thin wrappers over the Store's partner methods (steward/store/partners.py).
ORG is an organization's number or its name (or one of its aliases).
"""

from __future__ import annotations

import click

from steward.cli import CliContext, pass_ctx
from steward.cli.options import id_argument, json_option, value_or_clear
from steward.partners.records import AGREEMENT_KINDS, COMMITMENT_KINDS, ORGANIZATION_KINDS


def _say(cli: CliContext, o, as_json: bool, text: str) -> None:
    if as_json:
        cli.echo_json(o.as_json())
    else:
        click.echo(text)


# --- org ----------------------------------------------------------------------------------


@click.group("org")
def org() -> None:
    """Organizations: every partner's requests, agreements and giving back."""


@org.command("list")
@click.option("--query", "-q", default="", help="Part of a name, alias or mail domain.")
@click.option("--limit", type=click.IntRange(min=1, max=1_000_000), default=1000, show_default=True)
@json_option
@pass_ctx
def org_list(cli: CliContext, query, limit, as_json):
    """Organizations, those with most requests first."""
    from steward.util.text import one_line, pad

    organizations = cli.store.list_organizations(query, limit=limit)
    if as_json:
        cli.echo_json([o.as_json() for o in organizations])
    elif organizations:
        click.echo(f"{'ID':>5} {'REQS':>5}  NAME")
        for o in organizations:
            aka = f"  (also: {', '.join(o.aliases[:3])})" if o.aliases else ""
            click.echo(f"{o.id:>5} {o.request_count:>5}  {pad(one_line(o.name + aka), 66).rstrip()}")
    else:
        click.echo("No organizations.", err=True)


@org.command("show")
@id_argument(metavar="ORG")
@json_option
@pass_ctx
def org_show(cli: CliContext, ref, as_json):
    """One organization: its requests, agreements, commitments and people."""
    from steward.store import organization_details
    from steward.util.text import clean_text, one_line

    details = organization_details(cli.store, ref)
    if as_json:
        cli.echo_json(details)
        return
    click.echo(f"#{details['id']}  {clean_text(details['name'])}" + ("  (a person)" if details["kind"] == "person" else ""))
    if details["aliases"]:
        click.echo(f"Also written: {clean_text(', '.join(details['aliases']))}")
    if details["domains"]:
        click.echo(f"Mail domains: {', '.join(details['domains'])}")
    click.echo(f"\nRequests ({details['request_count']}):")
    for r in details["requests"][:20]:
        click.echo(f"  #{r['id']:<6} {r['received_at'][:10]}  {r['status']:<9} {one_line(r['subject'])[:50]}")
    if details["agreements"]:
        click.echo("\nAgreements:")
        for a in details["agreements"]:
            click.echo(f"  #{a['id']:<4} {a['kind']:<14} {a['project'] or '-':<12} {one_line(a['text'])[:50]}")
    if details["commitments"]:
        click.echo("\nGiving back:")
        for c in details["commitments"]:
            late = "  OVERDUE" if c["overdue"] else ""
            click.echo(f"  #{c['id']:<4} {c['kind']:<12} due {c['due_on']}  {c['state']}{late}")
    if details["people"]:
        click.echo("\nPeople:")
        for p in details["people"][:10]:
            click.echo(f"  {one_line(p['name']) or '-'} <{one_line(p['email']) or '-'}>  ({p['request_count']})")


@org.command("merge")
@click.argument("keep", metavar="A")
@click.argument("other", metavar="B")
@json_option
@pass_ctx
def org_merge(cli: CliContext, keep, other, as_json):
    """Merge B into A: B's requests, agreements, commitments, names and domains move to A."""
    store = cli.store
    gone = store.get_organization(other)
    merged = store.merge_organizations(keep, gone.id)
    _say(cli, merged, as_json, f"#{gone.id} merged into #{merged.id} {merged.name} ({merged.request_count} requests)")


@org.command("alias")
@id_argument(metavar="ORG")
@click.argument("name")
@json_option
@pass_ctx
def org_alias(cli: CliContext, ref, name, as_json):
    """Another way the organization is written; later requests written so link to it."""
    o = cli.store.add_organization_alias(ref, name)
    _say(cli, o, as_json, f"#{o.id} also written: {', '.join(o.aliases)}")


@org.command("rename")
@id_argument(metavar="ORG")
@click.argument("name")
@json_option
@pass_ctx
def org_rename(cli: CliContext, ref, name, as_json):
    """Rename; the old name stays as an alias."""
    o = cli.store.rename_organization(ref, name)
    _say(cli, o, as_json, f"#{o.id} is now {o.name}")


@org.command("kind")
@id_argument(metavar="ORG")
@click.argument("kind", type=click.Choice(ORGANIZATION_KINDS))
@json_option
@pass_ctx
def org_kind(cli: CliContext, ref, kind, as_json):
    """Mark a record as a private person (never named in a public summary) or an organization."""
    o = cli.store.set_organization_kind(ref, kind)
    _say(cli, o, as_json, f"#{o.id} is {'a person' if o.kind == 'person' else 'an organization'}")


@org.command("link")
@id_argument(name="request")
@value_or_clear("ref", what="an ORG", metavar="ORG", flag="--none", clear_help="Unlink the request from any organization.")
@json_option
@pass_ctx
def org_link(cli: CliContext, request, ref, as_json):
    """Move request ID to organization ORG (or --none: split a wrong link)."""
    store = cli.store
    organization_id = store.move_request(request, ref)
    request_id = store.resolve(request)
    if as_json:
        cli.echo_json({"request_id": request_id, "organization_id": organization_id})
    else:
        click.echo(f"#{request_id} linked to organization #{organization_id}" if organization_id else f"#{request_id} unlinked")


@org.command("undo")
@click.argument("event", type=click.IntRange(min=1), metavar="CHANGE")
@json_option
@pass_ctx
def org_undo(cli: CliContext, event, as_json):
    """Undo one change from an organization's history (its number in `org show --json`)."""
    o = cli.store.undo_organization_change(event)
    if as_json:
        cli.echo_json(o.as_json() if o else None)
    else:
        click.echo(f"change #{event} undone")


# --- agreements and commitments ------------------------------------------------------------


@click.group("agreement")
def agreement() -> None:
    """What was agreed with a partner, recorded from its request."""


@agreement.command("add")
@id_argument(name="request")
@click.option("--kind", required=True, type=click.Choice(AGREEMENT_KINDS))
@click.option("--text", required=True, help="What was agreed.")
@click.option("--project", metavar="KEY", help="The project involved.")
@json_option
@pass_ctx
def agreement_add(cli: CliContext, request, kind, text, project, as_json):
    """Record an agreement made on request ID; prints its number."""
    a = cli.store.add_agreement(request, kind, text, project=project)
    if as_json:
        cli.echo_json(a.as_json())
    else:
        click.echo(a.id)


@click.group("commitment")
def commitment() -> None:
    """Giving back a partner promised: present, open-source, report, credit, sponsor."""


@commitment.command("add")
@id_argument(name="request")
@click.option("--kind", required=True, type=click.Choice(COMMITMENT_KINDS))
@click.option("--due", required=True, metavar="DATE", help="2027-03-01, +30d, next mon …")
@click.option("--project", metavar="KEY")
@click.option("--text", default="", help="What exactly, e.g. the licence.")
@json_option
@pass_ctx
def commitment_add(cli: CliContext, request, kind, due, project, text, as_json):
    """Track a giving-back commitment made on request ID; prints its number."""
    from steward.util.dates import parse_date

    store = cli.store
    c = store.add_commitment(request, kind, parse_date(due, store.today()), project=project, text=text)
    if as_json:
        cli.echo_json(c.as_json(store.today()))
    else:
        click.echo(c.id)


def _set_state(cli: CliContext, number: str, state: str, as_json: bool) -> None:
    store = cli.store
    c = store.set_commitment_state(number, state)
    if as_json:
        cli.echo_json(c.as_json(store.today()))
    else:
        click.echo(f"commitment #{c.id} is {c.state}")


@commitment.command("done")
@click.argument("number", metavar="N")
@json_option
@pass_ctx
def commitment_done(cli: CliContext, number, as_json):
    """The partner gave back as promised."""
    _set_state(cli, number, "done", as_json)


@commitment.command("lapse")
@click.argument("number", metavar="N")
@json_option
@pass_ctx
def commitment_lapse(cli: CliContext, number, as_json):
    """The partner did not give back as promised."""
    _set_state(cli, number, "lapsed", as_json)


COMMANDS = (org, agreement, commitment)


def register(group: click.Group) -> None:
    """Add this module's COMMANDS to `group` (steward.cli loads the module when one is run)."""
    for command in COMMANDS:
        group.add_command(command)
