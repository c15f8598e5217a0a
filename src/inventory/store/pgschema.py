"""The PostgreSQL store's schema: made and upgraded by the tool, one numbered step at a time.

``inventory_schema`` has one row per step applied. ``db init`` applies every step to an
empty database; ``db upgrade`` applies the missing ones to an older store. Each run of
steps is one transaction under an advisory lock, so two officers upgrading at once cannot
both apply a step, and a step that fails leaves the store at the version it had.

A step is never edited once released: a change to the schema is a new step at the end (and
a test that upgrades a store made at every earlier version, tests/test_postgres_schema.py).

How a fuzzy schedule is kept: ``during`` is the window (earliest to latest possible day) as
a ``daterange`` with a GiST index, so a period query is an index search (``&&``) on the
server; ``days`` is the ``datemultirange`` of the known day segments, consulted only for
activities in several parts (``parts > 1``), so a gap between two parts does not count.
``precision``, ``certainty`` and ``deadline`` are plain columns beside them.

Records are ``json``, not ``jsonb``: they are read whole, never searched inside, and
``json`` keeps them as written (the documented key order in ``history --json``).
"""

from __future__ import annotations

from typing import Any

STEPS: list[tuple[str, str]] = [
    (
        "activities: records, a daterange window with a GiST index, projects, countries",
        """
CREATE TABLE inventory_schema (
    version integer PRIMARY KEY,
    what text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user
);
CREATE TABLE activity (
    id text COLLATE "C" PRIMARY KEY,
    record json NOT NULL,
    sort text COLLATE "C" NOT NULL,
    start date NOT NULL,
    "end" date NOT NULL,
    during daterange NOT NULL,
    days datemultirange NOT NULL,
    parts integer NOT NULL,
    month text NOT NULL,
    "precision" text NOT NULL,
    certainty text NOT NULL,
    deadline boolean NOT NULL,
    status text NOT NULL,
    city text NOT NULL,
    haystack text NOT NULL
);
CREATE INDEX activity_during ON activity USING gist (during);
CREATE INDEX activity_sort ON activity (sort);
CREATE INDEX activity_end ON activity ("end");
CREATE TABLE activity_project (
    id text COLLATE "C" NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    project text NOT NULL,
    PRIMARY KEY (id, project)
);
CREATE INDEX activity_project_name ON activity_project (project, id);
CREATE TABLE activity_country (
    id text COLLATE "C" NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    code text NOT NULL,
    PRIMARY KEY (id, code)
);
CREATE INDEX activity_country_code ON activity_country (code, id);
""",
    ),
    (
        "history of changes, and a row version for concurrent officers",
        """
CREATE TABLE change (
    number bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT date_trunc('second', now()),
    author text NOT NULL,
    command text NOT NULL,
    reverts bigint REFERENCES change (number)
);
CREATE INDEX change_author ON change (author, number);
CREATE INDEX change_at ON change (at);
CREATE TABLE change_edit (
    number bigint NOT NULL REFERENCES change (number),
    seq integer NOT NULL,
    id text COLLATE "C" NOT NULL,
    before json,
    after json,
    PRIMARY KEY (number, seq)
);
CREATE INDEX change_edit_id ON change_edit (id, number);
-- The number of the change that last wrote the row (0: written before there was a
-- history): a write names the version it read and fails if the row moved on since.
ALTER TABLE activity ADD COLUMN version bigint NOT NULL DEFAULT 0;
""",
    ),
]
VERSION = len(STEPS)
LOCK_KEY = 0x1E7E_2019
"""The advisory lock upgrades take (any number both sides agree on)."""


def schema_version(connection: Any) -> int:
    """The schema version of the database: 0 when it holds no inventory."""
    found = connection.execute("SELECT to_regclass('inventory_schema') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return 0
    row = connection.execute("SELECT coalesce(max(version), 0) FROM inventory_schema").fetchone()
    return int(row[0]) if row else 0


def apply(connection: Any, target: int = VERSION) -> list[str]:
    """Apply the steps up to ``target`` that the database lacks, in one transaction;
    returns what was applied. ``connection`` is in autocommit mode."""
    done: list[str] = []
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        current = schema_version(connection)
        for number in range(current + 1, target + 1):
            what, script = STEPS[number - 1]
            connection.execute(script)
            connection.execute(
                "INSERT INTO inventory_schema (version, what) VALUES (%s, %s)", (number, what)
            )
            done.append(f"{number}: {what}")
    return done
