"""The inbox schema and its migrations, keyed on ``PRAGMA user_version``.

Tables are made with sqlite-utils' table API so the file stays the plain,
readable SQLite that ``sqlite-utils`` and Datasette open: readable names, ISO
8601 UTC text timestamps, JSON only where a list really is a list.
"""

from __future__ import annotations

import sqlite3


def _v1(conn: sqlite3.Connection) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(conn, execute_plugins=False, recursive_triggers=False)
    db["requests"].create(
        {
            "id": int,
            "external_id": str,
            "message_id": str,
            "content_hash": str,
            "received_at": str,
            "channel": str,
            "from_name": str,
            "from_email": str,
            "organization": str,
            "subject": str,
            "body": str,
            "language": str,
            "status": str,
            "category": str,  # effective: the steward's choice, else the suggestion
            "category_manual": int,
            "category_suggested": str,
            "category_score": int,
            "category_reasons": str,  # JSON list of strings
            "match": str,  # effective routed directory key, same rule
            "match_manual": int,
            "assignee": str,
            "follow_up_on": str,  # YYYY-MM-DD
            "attachments": str,  # JSON list of {name, type, size}
            "version": int,
            "created_at": str,
            "updated_at": str,
            "updated_by": str,
            "last_activity_at": str,
        },
        pk="id",
        not_null=[
            "content_hash", "received_at", "channel", "from_name", "from_email", "organization",
            "subject", "body", "status", "category_manual", "match_manual", "version",
            "created_at", "updated_at", "last_activity_at",
        ],
        defaults={
            "channel": "other", "from_name": "", "from_email": "", "organization": "",
            "subject": "", "body": "", "status": "new", "category_manual": 0,
            "match_manual": 0, "version": 1,
        },
    )
    requests = db["requests"]
    requests.create_index(["external_id"], unique=True)
    requests.create_index(["message_id"], unique=True)
    requests.create_index(["content_hash"], unique=True)
    requests.create_index(["last_activity_at", "id"])
    requests.create_index(["status", "last_activity_at"])
    requests.create_index(["received_at"])
    requests.create_index(["category"])
    requests.create_index(["match"])
    requests.create_index(["assignee"])
    requests.create_index(["follow_up_on"])

    db["messages"].create(
        {
            "id": int, "request_id": int, "message_id": str, "in_reply_to": str,
            "received_at": str, "from_name": str, "from_email": str, "subject": str,
            "body": str, "attachments": str,
        },
        pk="id",
        foreign_keys=[("request_id", "requests", "id")],
        not_null=["request_id", "received_at"],
    )
    db["messages"].create_index(["message_id"], unique=True)
    db["messages"].create_index(["request_id"])

    db["events"].create(
        {
            "id": int, "request_id": int, "version": int, "at": str, "actor": str,
            "action": str, "old": str, "new": str, "detail": str,
        },
        pk="id",
        foreign_keys=[("request_id", "requests", "id")],
        not_null=["request_id", "at", "actor", "action"],
    )
    db["events"].create_index(["request_id", "id"])
    db["events"].create_index(["action", "at"])

    db["tags"].create(
        {"request_id": int, "tag": str, "added_at": str, "added_by": str},
        pk=("request_id", "tag"),
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["tags"].create_index(["tag"])

    db["matches"].create(
        {"request_id": int, "rank": int, "key": str, "score": int, "reasons": str},
        pk=("request_id", "key"),
        foreign_keys=[("request_id", "requests", "id")],
    )

    db["drafts"].create(
        {
            "id": int, "request_id": int, "version": int, "template": str, "language": str,
            "body": str, "created_at": str, "author": str, "sent_at": str,
        },
        pk="id",
        foreign_keys=[("request_id", "requests", "id")],
        not_null=["request_id", "version", "body", "created_at"],
    )
    db["drafts"].create_index(["request_id", "version"], unique=True)

    db["checklist"].create(
        {"request_id": int, "item_key": str, "checked": int, "checked_by": str, "checked_at": str},
        pk=("request_id", "item_key"),
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["autosaves"].create(
        {"request_id": int, "author": str, "body": str, "saved_at": str},
        pk=("request_id", "author"),
    )
    db["feeds"].create({"name": str, "cursor": str, "fetched_at": str}, pk="name")

    # Trigram FTS finds substrings in Chinese text without a word segmenter.
    requests.enable_fts(
        ["subject", "body", "organization", "from_name", "from_email"],
        fts_version="FTS5",
        tokenize="trigram",
        create_triggers=True,
    )
    # sqlite-utils' update trigger re-indexes on every UPDATE; a status change or a
    # version bump must not rewrite the full-text index, only edits of indexed text.
    indexed = '"subject", "body", "organization", "from_name", "from_email"'
    conn.execute('DROP TRIGGER "requests_au"')
    conn.execute(
        'CREATE TRIGGER "requests_au" AFTER UPDATE OF subject, body, organization, from_name, from_email '
        f'ON "requests" BEGIN INSERT INTO "requests_fts" ("requests_fts", rowid, {indexed}) '
        'VALUES (\'delete\', old.rowid, old."subject", old."body", old."organization", old."from_name", old."from_email"); '
        f'INSERT INTO "requests_fts" (rowid, {indexed}) VALUES (new.rowid, new."subject", new."body", '
        'new."organization", new."from_name", new."from_email"); END'
    )


def _v2(conn: sqlite3.Connection) -> None:
    """A small key/value table for facts about the file itself (e.g. that it is a demo)."""
    conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _v3(conn: sqlite3.Connection) -> None:
    """The original bytes of imported text whose charset was a guess, to decode again.

    One row per header or body part: `part` is "body", "subject", "from_name" or
    "organization"; `message_id` is set when the text belongs to a threaded reply
    (table messages) rather than to the request itself; `charset` is the codec
    it was read with. Additive: nothing else reads or changes because of it.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS undecoded_parts ("
        "id INTEGER PRIMARY KEY, request_id INTEGER NOT NULL REFERENCES requests(id), "
        "message_id TEXT, part TEXT NOT NULL, charset TEXT NOT NULL, data BLOB NOT NULL)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS undecoded_parts_request ON undecoded_parts (request_id)")


def _v4(conn: sqlite3.Connection) -> None:
    """Spam: how strongly a request looks like spam or a scam (steward.matching.spam), set when it is matched."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(requests)")}
    if "spam_score" not in columns:
        conn.execute("ALTER TABLE requests ADD COLUMN spam_score INTEGER")  # 0..100; NULL: not matched yet
        conn.execute("ALTER TABLE requests ADD COLUMN spam_reasons TEXT")  # JSON list of strings
    conn.execute("CREATE INDEX IF NOT EXISTS idx_requests_spam_score ON requests (spam_score)")


def _v5(conn: sqlite3.Connection) -> None:
    """Partner memory: organizations, each request's link to one, agreements and giving-back
    commitments, and a log of every change to an organization (with what it replaced, for undo).

    Existing requests are linked in this same step, so an upgraded inbox shows its partners at once.
    """
    # One statement at a time: executescript would commit the migration's open transaction.
    script = """
        CREATE TABLE organizations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'organization' CHECK (kind IN ('organization', 'person')),
            aliases TEXT NOT NULL DEFAULT '[]',   -- JSON list of names
            domains TEXT NOT NULL DEFAULT '[]',   -- JSON list of mail domains
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL, created_by TEXT,
            updated_at TEXT NOT NULL, updated_by TEXT
        );
        CREATE INDEX idx_organizations_name ON organizations (name);
        ALTER TABLE requests ADD COLUMN organization_id INTEGER REFERENCES organizations (id);
        CREATE INDEX idx_requests_organization_id ON requests (organization_id, received_at);
        CREATE TABLE agreements (
            id INTEGER PRIMARY KEY,
            organization_id INTEGER REFERENCES organizations (id),
            request_id INTEGER NOT NULL REFERENCES requests (id),
            kind TEXT NOT NULL CHECK (kind IN ('talk', 'co_development', 'data_use', 'naming', 'sponsorship', 'partnership')),
            text TEXT NOT NULL, project TEXT,
            created_at TEXT NOT NULL, created_by TEXT
        );
        CREATE INDEX idx_agreements_organization_id ON agreements (organization_id);
        CREATE INDEX idx_agreements_request_id ON agreements (request_id);
        CREATE INDEX idx_agreements_created_at ON agreements (created_at);
        CREATE TABLE commitments (
            id INTEGER PRIMARY KEY,
            organization_id INTEGER REFERENCES organizations (id),
            request_id INTEGER NOT NULL REFERENCES requests (id),
            kind TEXT NOT NULL CHECK (kind IN ('present', 'open_source', 'report', 'credit', 'sponsor')),
            project TEXT, text TEXT NOT NULL DEFAULT '',
            due_on TEXT NOT NULL,  -- YYYY-MM-DD
            state TEXT NOT NULL DEFAULT 'promised' CHECK (state IN ('promised', 'done', 'lapsed')),
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL, created_by TEXT,
            updated_at TEXT NOT NULL, updated_by TEXT
        );
        CREATE INDEX idx_commitments_organization_id ON commitments (organization_id);
        CREATE INDEX idx_commitments_request_id ON commitments (request_id);
        CREATE INDEX idx_commitments_state_due_on ON commitments (state, due_on);
        CREATE TABLE organization_events (
            id INTEGER PRIMARY KEY,
            organization_id INTEGER,  -- no foreign key: a merged-away organization keeps its log
            version INTEGER, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            old TEXT, new TEXT, detail TEXT,
            undo TEXT,  -- JSON: what the change replaced, so it can be put back
            undone_by INTEGER
        );
        CREATE INDEX idx_organization_events_organization_id ON organization_events (organization_id, id)
        """
    for statement in script.split(";"):
        conn.execute(statement)
    from steward.store.partners import link_existing_requests

    link_existing_requests(conn, actor="steward")


# Numbered steps: MIGRATIONS[n - 1] takes a file from user_version n - 1 to n.
# Append new steps; never edit or reorder a released one.
MIGRATIONS = [_v1, _v2, _v3, _v4, _v5]
LATEST = len(MIGRATIONS)
# PRAGMA application_id marks a file as a steward inbox ("STWD"), so steward never
# writes its tables into another program's database.
APPLICATION_ID = 0x53545744


def check(conn: sqlite3.Connection, path: object) -> bool:
    """Whether the file needs migrating; raises SchemaError for a file steward must not touch.

    An older steward file (from before files were marked) is recognised by its
    ``requests`` table and adopted; any other non-empty database is refused.
    """
    from steward.models import SchemaError

    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables and not _looks_like_steward(conn, tables, version)):
        raise SchemaError(f"{path}: not a steward inbox (it belongs to another program); choose another --db")
    if version > LATEST:
        raise SchemaError(
            f"{path}: this inbox was written by a newer steward (schema {version}; this one knows up to {LATEST}); "
            "upgrade steward to open it"
        )
    return version < LATEST or app_id != APPLICATION_ID


def _looks_like_steward(conn: sqlite3.Connection, tables: set[str], version: int) -> bool:
    if version < 1 or "requests" not in tables or "events" not in tables:
        return False
    columns = {r[1] for r in conn.execute("PRAGMA table_info(requests)")}
    return {"external_id", "content_hash", "status", "version", "last_activity_at"} <= columns


def migrate(conn: sqlite3.Connection, path: object = "the inbox") -> None:
    """Bring the schema up to date; safe when several processes open a new file at once.

    Refuses (SchemaError) a file of another program or of a newer steward.
    """
    if not check(conn, path):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-check under the write lock: another process may have migrated meanwhile.
        check(conn, path)
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, step in enumerate(MIGRATIONS[current:], start=current + 1):
            step(conn)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
