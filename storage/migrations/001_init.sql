-- Every message from a configured group, chatter included; `text` is purged after retention.
CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    ts          TEXT NOT NULL,
    room        TEXT NOT NULL,
    sender_id   TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    text        TEXT,
    mentions    TEXT NOT NULL DEFAULT '[]',
    kind        TEXT NOT NULL DEFAULT 'text',
    state       TEXT NOT NULL DEFAULT 'received',
    category    TEXT,
    urgent      INTEGER,
    confidence  REAL,
    received_at TEXT NOT NULL
);
CREATE INDEX messages_received ON messages(state) WHERE state = 'received';
CREATE INDEX messages_sender ON messages(room, sender_id, ts);

CREATE TABLE items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    building      TEXT NOT NULL,
    room          TEXT,
    grp           TEXT NOT NULL,
    category      TEXT NOT NULL,
    urgent        INTEGER NOT NULL,
    status        TEXT NOT NULL,
    text          TEXT NOT NULL,
    reporter_id   TEXT NOT NULL,
    reporter_name TEXT NOT NULL,
    assignees     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    message_id    TEXT NOT NULL UNIQUE,
    confidence    REAL NOT NULL DEFAULT 1.0,
    unit          TEXT NOT NULL DEFAULT 'captain',
    claimed_by    TEXT,
    resolved_at   TEXT,
    me_too        INTEGER NOT NULL DEFAULT 0,
    keywords      TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX items_building_status ON items(building, status);
CREATE INDEX items_status_created ON items(status, created_at);
CREATE INDEX items_created ON items(created_at);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id),
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    message_id  TEXT,
    detail      TEXT
);
CREATE INDEX events_item ON events(item_id);

-- Delivery has its own lifecycle, apart from the item's status.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    room       TEXT NOT NULL,
    text       TEXT NOT NULL,
    mentions   TEXT NOT NULL DEFAULT '[]',
    urgent     INTEGER NOT NULL DEFAULT 0,
    key        TEXT UNIQUE,
    item_id    INTEGER,
    direct_to  TEXT,
    created_at TEXT NOT NULL,
    due_at     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending',
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at    TEXT
);
CREATE INDEX outbox_pending ON outbox(due_at, id) WHERE status = 'pending';

CREATE TABLE corrections (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id  INTEGER NOT NULL,
    text     TEXT NOT NULL,
    category TEXT NOT NULL,
    by_id    TEXT NOT NULL,
    at       TEXT NOT NULL
);

-- Small durable facts: learned room ids, once-a-day markers.
CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Groups the config does not name: a count, nothing more.
CREATE TABLE ignored (
    room TEXT NOT NULL,
    day  TEXT NOT NULL,
    n    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room, day)
);
