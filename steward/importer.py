"""Bringing requests into the inbox: from files (`steward import`) and feeds (`steward fetch`).

The readers live in `steward.intake`; deduplication, threading and batched
commits are the store's. This module joins them and builds the matcher once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from steward.intake import FileError, check_format, read_path
from steward.models import ImportReport, IncomingRequest, MatchResult, RecordError, UsageError

if TYPE_CHECKING:
    import httpx

    from steward.config import FeedSettings, Settings
    from steward.store import Store

Matcher = Callable[[IncomingRequest], MatchResult]


def import_paths(
    store: Store,
    paths: Iterable[str | os.PathLike],
    settings: Settings,
    *,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    matcher: Matcher | None = None,
) -> ImportReport:
    """Import every record of every path; a file that cannot be read is one failed record.

    `matcher` defaults to the configured matcher (`steward.matching.build_matcher`).
    Raises UsageError only for an unknown `fmt`, before anything is imported.
    """
    if fmt is not None:
        fmt = check_format(fmt)
    records = _records_of(list(paths), settings, fmt)
    return store.import_requests(records, matcher=matcher or build_matcher(settings), progress=progress)


def _records_of(paths: Sequence[str | os.PathLike], settings: Settings, fmt: str | None) -> Iterator[IncomingRequest | RecordError]:
    for path in paths:
        try:
            yield from read_path(path, fmt=fmt, tz=settings.tz, csv_headers=settings.csv_headers)
        except FileError as exc:
            yield RecordError(exc.path, exc.reason)
        except OSError as exc:
            # The file went away or became unreadable half-way through.
            yield RecordError(str(path), f"cannot read: {exc.strerror or exc}")


def build_matcher(settings: Settings) -> Matcher | None:
    """The configured matcher, or None while matching is not installed."""
    try:
        from steward.matching import build_matcher as build
    except ImportError:
        return None
    return build(settings)


# --- feeds ------------------------------------------------------------------------


@dataclass
class FeedOutcome:
    name: str
    report: ImportReport = field(default_factory=ImportReport)
    error: str | None = None  # why the feed stopped early, if it did
    cursor: str | None = None  # the cursor stored after this fetch


def fetch_feeds(
    store: Store,
    settings: Settings,
    names: Sequence[str] = (),
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    environ: dict[str, str] | None = None,
    matcher: Matcher | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[FeedOutcome]:
    """Pull new items from the named feeds (all configured feeds if none are named).

    Each page's cursor is stored only after its items are in the inbox, so a
    fetch that fails half-way loses nothing and repeats nothing.
    """
    from steward.intake.feeds import FeedError, fetch_pages

    feeds = select_feeds(settings.feeds, names)
    matcher = matcher or build_matcher(settings)
    own_client = client is None
    if client is None:
        import httpx

        client = httpx.Client(timeout=httpx.Timeout(20.0, connect=10.0), follow_redirects=True)
    outcomes = []
    try:
        for feed in feeds:
            outcome = FeedOutcome(feed.name, cursor=store.feed_cursor(feed.name))
            outcomes.append(outcome)
            pages = fetch_pages(
                feed, outcome.cursor, tz=settings.tz, client=client, sleep=sleep,
                environ=os.environ if environ is None else environ,
            )
            try:
                for page in pages:
                    _merge(outcome.report, store.import_requests(page.records, matcher=matcher, progress=progress))
                    if page.cursor is not None and page.cursor != outcome.cursor:
                        store.set_feed_cursor(feed.name, page.cursor)
                        outcome.cursor = page.cursor
            except FeedError as exc:
                outcome.error = exc.reason
    finally:
        if own_client:
            client.close()
    return outcomes


def select_feeds(feeds: Sequence[FeedSettings], names: Sequence[str]) -> list[FeedSettings]:
    if not feeds:
        raise UsageError("no feeds configured; add a [[feeds]] table to the config")
    if not names:
        return list(feeds)
    by_name = {feed.name: feed for feed in feeds}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise UsageError(f"no feed named {', '.join(map(repr, unknown))}; configured: {', '.join(by_name)}")
    return [by_name[name] for name in dict.fromkeys(names)]


def _merge(total: ImportReport, part: ImportReport) -> None:
    total.imported += part.imported
    total.duplicates += part.duplicates
    total.threaded += part.threaded
    total.failed += part.failed
    total.errors.extend(part.errors)
    total.warnings.extend(part.warnings)
    total.new_ids.extend(part.new_ids)
