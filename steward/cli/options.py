"""Options and arguments several commands share, declared once.

    @click.command("assign")
    @id_argument
    @value_or_clear("name", what="a NAME", clear_help="Unassign.")
    @pass_ctx
    def assign_command(cli, ref, name): ...   # name is None after --clear

Only click is imported here: `steward list` stays fast.
"""

from __future__ import annotations

from functools import update_wrapper

import click

JSON_HELP = "Print JSON instead of text."


def json_option(f=None, *, help: str = JSON_HELP):
    """`--json`, handed to the command as `as_json`: the command's JSON contract instead of text.

    Use it bare (`@json_option`) or with its own help (`@json_option(help=...)`).
    """
    decorator = click.option("--json", "as_json", is_flag=True, help=help)
    return decorator if f is None else decorator(f)


def id_argument(f=None, *, name: str = "ref", metavar: str = "ID"):
    """A request's number (or another record's reference), handed to the command as `ref`."""
    decorator = click.argument(name, metavar=metavar)
    return decorator if f is None else decorator(f)


def value_or_clear(
    name: str,
    *,
    what: str,
    metavar: str | None = None,
    flag: str = "--clear",
    clear_help: str | None = None,
    error: type[Exception] = click.UsageError,
):
    """An optional VALUE argument or a `--clear` flag: exactly one of them.

    The command receives `name` = the value, or None when `--clear` was given;
    neither or both is the usage error "give WHAT or --clear".
    """

    def decorate(f):
        def wrapper(*args, **kwargs):
            clear = kwargs.pop("clear_value")
            if clear == bool(kwargs.get(name)):
                raise error(f"give {what} or {flag}")
            if clear:
                kwargs[name] = None
            return f(*args, **kwargs)

        wrapper = update_wrapper(wrapper, f)
        # Applied bottom-up: the argument comes before the flag in --help, as written by hand before.
        wrapper = click.option(flag, "clear_value", is_flag=True, help=clear_help)(wrapper)
        return click.argument(name, metavar=metavar, required=False)(wrapper)

    return decorate
