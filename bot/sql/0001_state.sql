-- The bot's state: one table per kind of document. Each row holds the document (`doc`, the
-- JSON form of bot/records.py, checked when read back) under its `key`, plus the columns that
-- queries select, order or lock by. A new table is one more numbered file like this one.

CREATE TABLE subscriptions (
    key text PRIMARY KEY,
    chat_id bigint NOT NULL,
    district text NOT NULL,
    doc jsonb NOT NULL,
    UNIQUE (chat_id, district)
);

CREATE TABLE groups (
    key text PRIMARY KEY,
    doc jsonb NOT NULL
);

CREATE TABLE announcements (
    key text PRIMARY KEY,
    state text NOT NULL,
    created_at timestamptz NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX announcements_state ON announcements (state);

-- One message to one chat. Only the first pending row of a chat (its head) may be claimed;
-- `claimed_by` names the instance working on it, valid while that instance is alive.
CREATE SEQUENCE outbox_seq;
CREATE TABLE outbox (
    key text PRIMARY KEY,
    seq bigint NOT NULL,
    message_key text NOT NULL,
    chat_id bigint NOT NULL,
    state text NOT NULL,
    not_before timestamptz,
    claimed_by text,
    doc jsonb NOT NULL
);
CREATE INDEX outbox_due ON outbox ((chat_id < 0), seq) WHERE state = 'pending';
CREATE INDEX outbox_chat ON outbox (chat_id, seq) WHERE state = 'pending';
CREATE INDEX outbox_message ON outbox (message_key);

-- Every message key ever enqueued (reminder runs, announcements): the unique key that makes a
-- reminder go out once per period whatever the number of instances.
CREATE TABLE sent_log (
    key text PRIMARY KEY,
    at timestamptz NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX sent_log_at ON sent_log (at);

CREATE SEQUENCE unanswered_seq;
CREATE TABLE unanswered (
    key text PRIMARY KEY,
    doc jsonb NOT NULL
);

-- Telegram updates, recorded once by update_id before they are handled.
CREATE TABLE inbox (
    key text PRIMARY KEY,
    update_id bigint NOT NULL UNIQUE,
    chat bigint,
    handled_at timestamptz,
    doc jsonb NOT NULL
);
CREATE INDEX inbox_unhandled ON inbox (chat, update_id) WHERE handled_at IS NULL;
CREATE INDEX inbox_handled ON inbox (handled_at) WHERE handled_at IS NOT NULL;

CREATE SEQUENCE audit_seq;
CREATE TABLE audit (
    key text PRIMARY KEY,
    doc jsonb NOT NULL
);

-- What a conversation (a private chat, a member in a group, an answer's thread) has settled,
-- and when it last spoke: a follow-up reaching any instance continues it.
CREATE TABLE conversations (
    key text PRIMARY KEY,
    at timestamptz NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX conversations_at ON conversations (at);
