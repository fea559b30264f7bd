"""What the draft screen needs, loaded in one go off the event loop (no Textual here)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from steward.drafting.drafts import GuidanceItem, checklist_for_request, choose_language, load_guidance, render_draft
from steward.models import DraftVersion, Request, SignatureMissing, StewardError
from steward.drafting.templates import Template, load_templates
from steward.util.text import clean_text

# What a read or write of the inbox can fail with, short of a bug.
DB_ERRORS = (StewardError, sqlite3.Error, OSError)


@dataclass
class DraftData:
    request: Request
    drafts: list[DraftVersion]
    checklist_state: dict[str, bool]
    templates: dict[str, Template] = field(default_factory=dict)
    items: list[GuidanceItem] = field(default_factory=list)  # the checklist for this request
    guidance: list[GuidanceItem] = field(default_factory=list)  # every item, for rendering
    directory: Any = None
    template: str | None = None
    language: str = "zh-TW"
    text: str = ""  # what the editor starts with
    rendered: str | None = None  # the template's text, when the editor starts from it
    autosave: tuple[str, datetime] | None = None  # unsaved text from an earlier session
    problems: list[str] = field(default_factory=list)
    partner: Any = None  # what the inbox remembers of the sender's organization (a Partnership)
    signature_missing: bool = False  # the first draft needs steward.name: the screen asks for it

    @property
    def latest(self) -> DraftVersion | None:
        return self.drafts[-1] if self.drafts else None


def load_draft_data(store, request_id: int, settings, directory=None) -> DraftData:
    """The request, its versions, checklist, templates and any autosaved text.

    Broken templates or guidance (a user's file with a mistake) are reported in
    `problems`; the steward can still edit and save what is there.
    """
    request = store.get(request_id)
    data = DraftData(request=request, drafts=store.drafts(request.id), checklist_state=store.checklist_state(request.id))
    try:
        data.templates = load_templates(settings)
    except StewardError as exc:
        data.problems.append(str(exc))
    try:
        data.guidance = load_guidance(settings)
    except StewardError as exc:
        data.problems.append(str(exc))
    from steward.drafting.facts import facts_of

    data.partner = store.partnership(request.id)
    data.items = checklist_for_request(request, data.guidance, facts_of(request, partner=data.partner))
    if directory is None:
        try:
            from steward.directory.entries import load_directory

            directory = load_directory(settings)
        except StewardError as exc:
            data.problems.append(str(exc))
    data.directory = directory

    latest = data.latest
    if latest is not None:
        data.template = latest.template
        data.language = latest.language or choose_language(request.language, settings.language)
        data.text = latest.body
    else:
        data.language = choose_language(request.language, settings.language)
        if data.templates:
            try:
                rendered = render_draft(
                    request, settings=settings, directory=directory,
                    templates=data.templates, guidance=data.guidance, partner=data.partner,
                )  # fmt: skip
            except SignatureMissing:
                data.signature_missing = True
            except StewardError as exc:
                data.problems.append(str(exc))
            else:
                data.template, data.language = rendered.template, rendered.language
                data.text = data.rendered = rendered.body

    saved = store.autosaved_draft(request.id)
    if saved is not None:
        body, saved_at = saved
        # Saving a version clears the steward's autosave, so one still here is
        # newer than their last version; it is offered even when another
        # steward saved since, so nothing typed is lost.
        if clean_text(body) != data.text:
            data.autosave = (body, saved_at)
        else:
            store.clear_autosave(request.id)
    return data
