#!/usr/bin/env python3
"""How many of issue 11's personal-data forms `export --public` leaks, and how many `publish` lets through.

Each form of tests/hostile_privacy.FORMS goes into one request of a fresh
inbox, placed in turn:

- subject: in the subject of a request nobody approved for publishing;
- approved subject: in the subject of a request tagged public-ok;
- organization: in the organization field.

The week is exported in public mode (Markdown in both languages and the JSON,
the path `steward export --public` takes) and the form's secrets are looked
for as a reader would (see tests/hostile_privacy.leaks). Then each form, alone
on a line of a public-marked file, is given to `publish --dry-run`, which
should warn that it would refuse. At commit 002e7d6 (before the fix): 57 of 57
cases leaked and publish let 19 of 19 through; after it, 0 and 0. Usage:

    python3 scripts/measure_public_leaks.py [--verbose]
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from steward.config.settings import Settings  # noqa: E402
from steward.models import IncomingRequest  # noqa: E402
from steward.store import Store  # noqa: E402
from steward.summary.data import Period, build_summary  # noqa: E402
from steward.summary.markdown import PUBLIC_MARK, md_text, render_markdown  # noqa: E402
from tests.hostile_privacy import FORMS, leaks  # noqa: E402

PLACES = ("subject", "approved subject", "organization")


class _NoDirectory:
    def get(self, key):
        return None


def public_outputs(form, place: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(steward_name="tester", language="en", timezone="Asia/Taipei", database=Path(tmp) / "s.db")
        store = Store.open(settings.database, actor="tester")
        try:
            subject = f"Talk invitation {form.text}" if "subject" in place else "Talk invitation"
            organization = f"Civic Lab {form.text}" if place == "organization" else "Civic Lab"
            store.import_requests([IncomingRequest(
                received_at=datetime(2026, 11, 17, 2, 0, tzinfo=timezone.utc), from_name=form.from_name,
                from_email="sender@mail.example.net", organization=organization, subject=subject, body="",
            )])
            if place == "approved subject":
                store.add_tags(1, ["public-ok"])
            summary = build_summary(store, settings, period=Period.iso_week("2026-W47"), public=True,
                                    now=datetime(2026, 11, 25, tzinfo=timezone.utc), directory=_NoDirectory())
        finally:
            store.close()
    return [render_markdown(summary, lang="en"), render_markdown(summary, lang="zh-TW"),
            json.dumps(summary.as_json(), ensure_ascii=False)]


def publish_passes(form) -> bool:
    from steward.summary.publish import publish

    text = f"{PUBLIC_MARK}\n\n# Partner requests\n\n| 17 Nov | {md_text(form.text)} |\n"
    settings = Settings(steward_name="tester", language="en", timezone="Asia/Taipei", database=Path("unused.db"))
    # `steward publish` passes the names of everyone in the inbox; here, the form's sender.
    result = publish(text, to="hackmd", settings=settings, dry_run=True, environ={}, known_names=[form.from_name])
    return not result.warnings


def main() -> int:
    verbose = "--verbose" in sys.argv
    leaked = total = 0
    by_place = dict.fromkeys(PLACES, 0)
    for form in FORMS:
        for place in PLACES:
            total += 1
            found = sorted({s for out in public_outputs(form, place) for s in leaks(out, form.secrets)})
            if found:
                leaked += 1
                by_place[place] += 1
                if verbose:
                    print(f"LEAK  {place:16} {form.text!r}: {found}")
    passed = [f for f in FORMS if publish_passes(f)]
    if verbose:
        for form in passed:
            print(f"PUBLISH PASSES {form.text!r}")
    print(f"export --public leaked {leaked} of {total} (form, place) cases: "
          + ", ".join(f"{p} {n}/{len(FORMS)}" for p, n in by_place.items()))
    print(f"publish's check let {len(passed)} of {len(FORMS)} forms through")
    return 1 if leaked or passed else 0


if __name__ == "__main__":
    sys.exit(main())
