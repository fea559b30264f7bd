"""Drafting commands: `steward draft`, `steward checklist`, `steward templates list`."""

from __future__ import annotations

import re

import click

from steward.cli import CliContext, pass_ctx
from steward.cli.options import id_argument, json_option


def _split_keys(values: tuple[str, ...]) -> list[str]:
    # `--check a --check b` and `--check a,b` both work.
    keys: list[str] = []
    for value in values:
        keys.extend(k for k in re.split(r"[,\s]+", value) if k and k not in keys)
    return keys


def _echo_checklist(request, category: str, items: list[dict]) -> None:
    done = sum(item["checked"] for item in items)
    open_required = sum(item["required"] and not item["checked"] for item in items)
    click.echo(f"Checklist for request {request.id} ({category}): {done}/{len(items)} checked, "
               f"{open_required} required still open")  # fmt: skip
    for item in items:
        mark = "x" if item["checked"] else " "
        required = ", required" if item["required"] else ""
        click.echo(f"[{mark}] {item['key']} ({item['area']}, {item['source']}{required})")
        click.echo(f"    {item['text']}")


@click.command("draft")
@id_argument
@click.option("--template", "template_key", metavar="KEY", help="Template to use (see `steward templates list`).")
@click.option("--lang", "language", type=click.Choice(["zh-TW", "zh", "en"], case_sensitive=False),
              help="Reply language; default: the request's, or the configured one for mixed requests.")
@click.option("--print", "print_only", is_flag=True, help="Render without saving a draft version.")
@json_option
@click.option("--force", is_flag=True, help="Draft a reply even to a request that looks like spam.")
@pass_ctx
def draft_command(cli: CliContext, ref, template_key, language, print_only, as_json, force):
    """Render a reply to request ID, save it as a new draft version and print it."""
    from steward.drafting.drafts import draft_reply

    store = cli.store
    request = store.get(ref)
    rendered, version = draft_reply(
        store, cli.settings, request, template_key=template_key, language=language, save=not print_only, force=force
    )
    state = store.checklist_state(request.id)
    if not cli.settings.signature:
        cli.warn('steward: the signature is a placeholder: steward config set steward.name "Your Name"')
    if as_json:
        cli.echo_json(rendered.as_json(request.id, version, state))
        return
    items = rendered.checklist_json(state)
    click.echo(rendered.body)
    if version is not None:
        cli.warn(f"saved draft version {version} of request {request.id} "
                 f"(template {rendered.template}, {rendered.language})")  # fmt: skip
    open_required = [item["key"] for item in items if item["required"] and not item["checked"]]
    if open_required:
        cli.warn(f"{len(open_required)} required checklist items open: steward checklist {request.id}")


@click.command("checklist")
@id_argument
@click.option("--check", "to_check", multiple=True, metavar="KEY", help="Mark an item done (repeatable).")
@click.option("--uncheck", "to_uncheck", multiple=True, metavar="KEY", help="Mark an item open (repeatable).")
@json_option
@pass_ctx
def checklist_command(cli: CliContext, ref, to_check, to_uncheck, as_json):
    """Show request ID's guidance checklist; --check/--uncheck record progress."""
    from steward.drafting.drafts import request_checklist

    request = cli.store.get(ref)
    checklist = request_checklist(cli.store, cli.settings, request, _split_keys(to_check), _split_keys(to_uncheck))
    if as_json:
        cli.echo_json(checklist)
    else:
        _echo_checklist(request, request.category or "other", checklist["items"])


@click.group("templates")
def templates_group():
    """Reply templates (shipped ones and yours from the config directory)."""

@templates_group.command("list")
@json_option
@pass_ctx
def templates_list(cli: CliContext, as_json):
    """List reply templates."""
    from steward.drafting.templates import load_templates

    settings = cli.settings
    templates = load_templates(settings)
    if as_json:
        cli.echo_json([t.as_json() for t in templates.values()])
        return
    for template in sorted(templates.values(), key=lambda t: t.key):
        click.echo(f"{template.key:<14} {template.category or '-':<14} {template.name(settings.language)}")


COMMANDS = (draft_command, checklist_command, templates_group)


def register(group: click.Group) -> None:
    """Add this module's COMMANDS to `group` (steward.cli loads the module when one is run)."""
    for command in COMMANDS:
        group.add_command(command)
