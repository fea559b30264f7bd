"""Bringing requests into the inbox: from files (`steward import`) and feeds (`steward fetch`).

The readers live in `steward.intake`; deduplication, threading and batched
commits are the store's. This module joins them and builds the matcher once.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from steward.intake import FileError, check_format, detect_format, read_path
from steward.models import ImportReport, IncomingRequest, MatchResult, RecordError, UsageError
from steward.util.text import one_line

if TYPE_CHECKING:
    import httpx

    from steward.config.settings import FeedSettings, Settings
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

    `matcher` defaults to the configured matcher (`steward.matching.matcher.build_matcher`).
    Raises UsageError for an unknown `fmt` and ConfigError for a bad
    `csv_headers` setting, both before anything is imported.
    """
    if fmt is not None:
        fmt = check_format(fmt)
    if settings.csv_headers:
        from steward.intake.csv_form import check_overrides

        # A config mistake stops the import before anything is read, not half-way.
        check_overrides(settings.csv_headers)
    # Workers can only match with the configured matcher, not with one handed in.
    records = _records_of(list(paths), settings, fmt, match_in_workers=matcher is None)
    matcher = matcher or build_matcher(settings)
    return store.import_requests(records, matcher=_use_worker_results(matcher), progress=progress)


def _records_of(
    paths: Sequence[str | os.PathLike], settings: Settings, fmt: str | None, *, match_in_workers: bool
) -> Iterator[IncomingRequest | RecordError]:
    for path in paths:
        try:
            big_mail = _big_mail(Path(path), fmt)
            if big_mail is not None:
                yield from _parse_in_workers(big_mail, settings if match_in_workers else None)
            else:
                yield from read_path(path, fmt=fmt, tz=settings.tz, csv_headers=settings.csv_headers)
        except FileError as exc:
            yield RecordError(exc.path, exc.reason)
        except OSError as exc:
            # The file went away or became unreadable half-way through.
            yield RecordError(str(path), f"cannot read: {exc.strerror or exc}")
        except RecursionError:
            yield RecordError(str(path), "cannot read: nested too deeply")
        except Exception as exc:  # noqa: BLE001 - a reader's bug must not cost the other files
            # The records read before it are kept; the file is named so the rest can be looked at.
            yield RecordError(str(path), f"reading stopped: {type(exc).__name__}: {one_line(str(exc))[:120]}")


# --- big mail files: parsing and matching in worker processes --------------------------
#
# The stdlib email parser (over half a millisecond a message) and the matcher
# are the slow parts of a mail import and need no database, so big mbox files
# and Maildirs are parsed and matched in worker processes while this one only
# stores. Records come back in file order, so a reply still follows what it
# answers.

PARALLEL_MIN_BYTES = 4 * 1024 * 1024
PARALLEL_MIN_MESSAGES = 2000
_CHUNK = 250  # messages per task: big enough to amortise pickling, small enough to stream


def _big_mail(path: Path, fmt: str | None) -> Iterator | None:
    """The raw messages of `path` when it is mail worth parsing in parallel, else None."""
    if _cpus() < 2 or not path.exists():
        return None
    fmt = fmt or detect_format(path)
    if fmt == "mbox" and path.is_file() and path.stat().st_size >= PARALLEL_MIN_BYTES:
        from steward.intake.mbox import mbox_messages

        return mbox_messages(path)
    if fmt == "maildir" and path.is_dir():
        from steward.intake.maildir import count_messages, maildir_messages

        if count_messages(path) >= PARALLEL_MIN_MESSAGES:
            return maildir_messages(path)
    return None


@dataclass
class _Matched(IncomingRequest):
    """A record that a worker process has already matched."""

    match_result: MatchResult | None = None


def _use_worker_results(matcher: Matcher | None) -> Matcher | None:
    if matcher is None:
        return None

    def match(record: IncomingRequest) -> MatchResult:
        return record.match_result if isinstance(record, _Matched) else matcher(record)

    return match


def _parse_in_workers(raw_messages: Iterator, settings: Settings | None) -> Iterator[IncomingRequest | RecordError]:
    import multiprocessing
    from collections import deque

    workers = min(_cpus(), 8)
    pool = multiprocessing.get_context().Pool(workers, initializer=_start_worker, initargs=(settings,))
    try:
        pending: deque = deque()
        for chunk in _chunks(raw_messages, _CHUNK):
            pending.append(pool.apply_async(_parse_chunk, (chunk,)))
            # A few chunks in flight keep every worker busy without reading the whole file ahead.
            if len(pending) > 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


_worker_matcher: Matcher | None = None


def _start_worker(settings: Settings | None) -> None:
    import signal

    global _worker_matcher
    # Ctrl-C is the main process's to handle; it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker's own errors travel back to the parent with its results. If the parent
    # is killed, multiprocessing's "Broken pipe" tracebacks would land on the
    # steward's terminal: that is noise, not news, so workers keep a quiet stderr.
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the worker
    _worker_matcher = build_matcher(settings) if settings is not None else None


def _parse_chunk(chunk: list) -> list[IncomingRequest | RecordError]:
    from steward.intake.email_message import parse_raw

    records = [parse_raw(raw) for raw in chunk]
    if _worker_matcher is None:
        return records
    return [r if isinstance(r, RecordError) else _Matched(**vars(r), match_result=_match_quietly(r)) for r in records]


def _match_quietly(record: IncomingRequest) -> MatchResult | None:
    """The worker's match, or None (the record is then stored unmatched, as in the main process)."""
    try:
        return _worker_matcher(record)
    except Exception:  # noqa: BLE001 - one record's problem; it is still imported
        record.warnings.append("not matched: the matcher failed on this record")
        return None


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build_matcher(settings: Settings) -> Matcher:
    """The configured matcher (imported here, off the start-up path of other commands)."""
    from steward.matching.matcher import build_matcher as build

    return build(settings)


# --- feeds ------------------------------------------------------------------------


@dataclass
class FeedOutcome:
    name: str
    report: ImportReport = field(default_factory=ImportReport)
    error: str | None = None  # why the feed stopped early, if it did
    cursor: str | None = None  # the cursor stored after this fetch

    def as_json(self) -> dict:
        """One feed in `fetch --json`: its name, the import report, why it stopped, the cursor."""
        return {"feed": self.name, **self.report.as_dict(), "error": self.error, "cursor": self.cursor}


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
        from steward.util.http import new_client

        client = new_client()
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
