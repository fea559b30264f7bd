#!/usr/bin/env python3
"""How fast does `steward import` read a big mbox, next to `sqlite-utils insert`?

Generates an mbox of N messages (default 10,000: Chinese and English, plain
and multipart with HTML alternatives and attachments, some in Big5 with
RFC 2047 Big5 subjects, some replies) in a temporary directory, then times in
one run:

- `steward --db NEW import box.mbox`: a fresh process, so start-up, parsing,
  matching and the SQLite writes are all counted;
- `sqlite-utils insert NEW requests rows.json`: the same rows, already
  extracted, as JSON into a fresh database.

Target: >= 2,000 messages/s, and at most 2x the sqlite-utils time.

With --huge-fields it times instead, each in a fresh `python -m steward import`
process from this checkout, files with one giant field: a 2 MB subject (JSONL,
.eml and CSV), a 2 MB From header, a 100 KB base64 line, 200 KB of unclosed
HTML tags, a CSV whose cells are '",' repeated (csv.Sniffer took 76 s).
Target: each < 1 s, i.e. linear time (the old `\\S+@\\S+` in
detect_language took 43 s for an 80 KB subject, > 120 s for 2 MB).

    python3 scripts/bench_import.py [--count N] [--keep]
    python3 scripts/bench_import.py --huge-fields
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

ZH_SUBJECTS = ["敬邀推薦講者", "開放資料合作提案", "黑客松場地借用", "媒體採訪邀約", "想加入志工", "專案名稱使用詢問"]
EN_SUBJECTS = [
    "Speaker request", "Open data partnership", "Hackathon venue", "Press interview", "Volunteering",
    "Using the g0v name",
]
ZH_LINES = [
    "您好，本會預計於明年春季舉辦公民科技論壇，想邀請社群夥伴分享經驗。",
    "我們整理了一份地方政府預算資料，希望能與社群的開放資料專案合作。",
    "請問黑客松需要事先報名嗎？現場是否提供網路與電源？",
    "本刊正在製作數位民主專題，想訪問參與零時政府的朋友。",
]
EN_LINES = [
    "We are organising a civic tech forum next spring and would love a speaker from the community.",
    "Our newsroom is preparing a feature on digital democracy and would like to interview contributors.",
    "Could we reuse the project's open data in a university course on public budgets?",
    "I would like to volunteer as a translator for the international events.",
]
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def b64_lines(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def encoded_word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def message(n: int, rng: random.Random, sent: list[str]) -> tuple[bytes, dict]:
    """One generated message and the row sqlite-utils gets for it."""
    zh = rng.random() < 0.6
    big5 = zh and rng.random() < 0.3
    when = START + timedelta(minutes=17 * n)
    subject = rng.choice(ZH_SUBJECTS if zh else EN_SUBJECTS) + f" #{n}"
    body = "\n\n".join(rng.choice(ZH_LINES if zh else EN_LINES) for _ in range(rng.randint(2, 6)))
    name = f"{'林雅婷 王小明 陳怡君'.split()[n % 3] if zh else 'Ann Bo Cy'.split()[n % 3]}"
    email_address = f"person{n % 997}@partner{n % 31}.example.org"
    message_id = f"<bench-{n}@partner{n % 31}.example.org>"
    reply_to = rng.choice(sent) if sent and rng.random() < 0.1 else None
    charset = "big5" if big5 else "utf-8"
    headers = [
        f"From: {encoded_word(name, charset) if zh else name} <{email_address}>",
        "To: steward@g0v.example",
        f"Subject: {encoded_word(subject, charset) if zh else subject}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
    ]
    if reply_to:
        headers += [f"In-Reply-To: {reply_to}", f"References: {reply_to}"]
    payload = body.encode(charset)
    kind = rng.random()
    if kind < 0.4:
        headers += [f"Content-Type: text/plain; charset={charset}", "Content-Transfer-Encoding: base64"]
        text = "\n".join(headers) + "\n\n" + b64_lines(payload) + "\n"
    else:
        boundary = f"=_bench_{n}"
        html = "".join(f"<p>{line}</p>" for line in body.split("\n\n"))
        parts = [
            f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: base64\n\n{b64_lines(payload)}",
            f"Content-Type: text/html; charset={charset}\nContent-Transfer-Encoding: base64\n\n"
            f"{b64_lines(html.encode(charset))}",
        ]
        inner = f"--{boundary}\n" + f"\n--{boundary}\n".join(parts) + f"\n--{boundary}--\n"
        if kind < 0.8:
            headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
            text = "\n".join(headers) + "\n\n" + inner
        else:
            outer = f"=_outer_{n}"
            attachment = b64_lines(rng.randbytes(2048))
            headers.append(f'Content-Type: multipart/mixed; boundary="{outer}"')
            text = (
                "\n".join(headers) + f"\n\n--{outer}\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\n\n"
                + inner + f"\n--{outer}\nContent-Type: application/pdf; name=\"plan-{n}.pdf\"\n"
                f"Content-Disposition: attachment; filename=\"plan-{n}.pdf\"\nContent-Transfer-Encoding: base64\n\n"
                + attachment + f"\n--{outer}--\n"
            )
    sent.append(message_id)
    row = {
        "message_id": message_id, "in_reply_to": reply_to, "received_at": when.astimezone(timezone.utc).isoformat(),
        "channel": "email", "from_name": name, "from_email": email_address, "organization": "",
        "subject": subject, "body": body,
    }
    return text.encode(charset if big5 else "utf-8"), row


def generate(directory: Path, count: int) -> tuple[Path, Path, int]:
    rng = random.Random(20261120)
    sent: list[str] = []
    rows = []
    replies = 0
    box = directory / "bench.mbox"
    with box.open("wb") as out:
        for n in range(count):
            data, row = message(n, rng, sent)
            replies += row["in_reply_to"] is not None
            rows.append(row)
            out.write(b"From bench@example.org Mon Jan  5 09:00:00 2026\n" + data + b"\n")
    rows_file = directory / "rows.json"
    rows_file.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return box, rows_file, replies


def command(name: str, module_fallback: list[str]) -> list[str]:
    found = shutil.which(name)
    return [found] if found else [sys.executable, *module_fallback]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of the command and its worker processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


MIB2 = 2 * 1024 * 1024


def huge_field_files() -> dict[str, tuple[str, bytes]]:
    """Case name -> (file name, content): one record each, with one giant field."""
    subject = "x" * MIB2
    words = ("合作 proposal a@b " * (MIB2 // 16))[:MIB2]
    html = "<p" * 100_000
    return {
        "JSONL, 2 MB subject (no spaces)": ("a.jsonl", (json.dumps(
            {"received_at": "2026-11-20T10:00:00+08:00", "subject": subject, "body": "hi"}) + "\n").encode()),
        "JSONL, 2 MB subject (words, @)": ("b.jsonl", (json.dumps(
            {"received_at": "2026-11-20T10:00:00+08:00", "subject": words, "body": "hi"}, ensure_ascii=False)
            + "\n").encode()),
        ".eml, 2 MB subject": ("c.eml", b"From: a@b.org\nSubject: " + subject.encode() + b"\n\nbody\n"),
        ".eml, 2 MB From header": ("d.eml", b"From: " + subject.encode() + b"\nSubject: s\n\nbody\n"),
        ".eml, 100 KB base64 line": ("e.eml", b"From: a@b.org\nSubject: s\n\n" + b"QUJD" * 25_000 + b"\n"),
        ".eml, 200 KB unclosed HTML tags": ("f.eml", b"From: a@b.org\nSubject: s\nContent-Type: text/html\n\n"
                                            + html.encode() + b"\n"),
        "CSV, 2 MB subject": ("g.csv", ("Timestamp,Subject,Message\n2026/11/20 10:00:00," + subject + ",hi\n").encode()),
        "CSV, 64 KB of '\",' (sniffer)": ("h.csv", ("Timestamp,Message\n2026/11/20 10:00:00,x" + '",' * 32_768
                                                + "\n").encode()),
    }


def bench_huge_fields() -> int:
    root = Path(__file__).resolve().parent.parent  # this checkout, not the `steward` on PATH
    directory = Path(tempfile.mkdtemp(prefix="steward-bench-huge-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(directory / "config"), "PYTHONPATH": str(root)}
    env.pop("STEWARD_CONFIG", None)
    env.pop("STEWARD_DB", None)
    slowest = 0.0
    try:
        sys.path.insert(0, str(root))
        from steward.config.settings import load_settings
        from steward.intake.pipeline import import_paths
        from steward.store import Store

        # Start-up alone (an empty file), to read the process figures against.
        (directory / "empty.jsonl").write_bytes(b"")
        startup, startup_cpu = timed(
            [sys.executable, "-m", "steward", "--db", str(directory / "empty.db"), "import", "--quiet",
             str(directory / "empty.jsonl")], env,
        )
        print(f"start-up (import of an empty file): {startup:.2f} s ({startup_cpu:.2f} CPU s)")
        print(f"{'case':34s} {'import':>8s} {'CPU':>7s}   whole process (wall, CPU)")
        for name, (file_name, content) in huge_field_files().items():
            path = directory / file_name
            path.write_bytes(content)
            # The import itself, in this process: read, match, store.
            db = directory / f"{file_name}.db"
            store = Store.open(db, actor="bench")
            try:
                settings = load_settings(database=db)
                started, started_cpu = time.perf_counter(), time.process_time()
                report = import_paths(store, [path], settings)
                wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
            finally:
                store.close()
            # And as a steward runs it, start-up included.
            process, process_cpu = timed(
                [sys.executable, "-m", "steward", "--db", str(directory / f"p-{file_name}.db"), "import", "--quiet",
                 str(path)], env,
            )
            slowest = max(slowest, wall)
            print(f"{name:34s} {wall:6.2f} s {cpu:5.2f} s   {process:.2f} s, {process_cpu:.2f} s"
                  f"   imported {report.imported}, failed {report.failed}")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"slowest import: {slowest:.2f} s (target < 1 s each: {'met' if slowest < 1 else 'missed'})")
        return 0 if slowest < 1 else 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="messages to generate (default 10000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    parser.add_argument("--huge-fields", action="store_true", help="time files with one giant field instead")
    options = parser.parse_args()
    if options.huge_fields:
        return bench_huge_fields()

    directory = Path(tempfile.mkdtemp(prefix="steward-bench-import-"))
    try:
        box, rows_file, replies = generate(directory, options.count)
        # Other busy processes skew the figures; say so next to them.
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        # No user config: the benchmark measures the defaults.
        env = {**os.environ, "XDG_CONFIG_HOME": str(directory / "config"), "STEWARD_CONFIG": ""}
        env.pop("STEWARD_CONFIG")
        steward = command("steward", ["-c", "from steward.cli import main; main()"])
        sqlite_utils = command("sqlite-utils", ["-m", "sqlite_utils"])

        steward_db = directory / "steward.db"
        steward_s, steward_cpu = timed([*steward, "--db", str(steward_db), "import", "--quiet", str(box)], env)
        plain_s, plain_cpu = timed(
            [*sqlite_utils, "insert", str(directory / "plain.db"), "requests", str(rows_file)], env
        )

        with sqlite3.connect(steward_db) as conn:
            requests = conn.execute("SELECT count(*) FROM requests").fetchone()[0]
            threaded = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        print(f"messages: {options.count:,} ({box.stat().st_size / 2**20:.1f} MiB mbox, {replies} replies)")
        print(f"steward import:      {steward_s:6.2f} s  {options.count / steward_s:8,.0f} messages/s"
              f"  ({steward_cpu:.2f} CPU s)  -> {requests:,} requests + {threaded:,} threaded replies")
        print(f"sqlite-utils insert: {plain_s:6.2f} s  {options.count / plain_s:8,.0f} rows/s"
              f"      ({plain_cpu:.2f} CPU s)")
        print(f"cpus: {os.cpu_count()}, load average before: {load}")
        ratio = steward_s / plain_s
        rate_ok = options.count / steward_s >= 2000
        print(f"ratio: {ratio:.2f}x sqlite-utils (target <= 2x: {'met' if ratio <= 2 else 'missed'}); "
              f">= 2,000 messages/s: {'met' if rate_ok else 'missed'}")
        if requests + threaded != options.count:
            print(f"error: expected {options.count} records in the inbox, found {requests + threaded}", file=sys.stderr)
            return 1
        return 0
    finally:
        if options.keep:
            print(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
