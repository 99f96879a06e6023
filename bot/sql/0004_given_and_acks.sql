-- What reminders and reloads need to remember beyond the outbox: the figures each chat was
-- given (so it hears when one changes), the target reminders queued and who pressed
-- "Đã nhận" under them (the thi đua office's report). Documents as in 0001_state.sql.

-- One row per chat and fact (`chat_id|fact_id`), `at` the last time it was given.
CREATE TABLE given (
    key text PRIMARY KEY,
    chat_id bigint NOT NULL,
    fact_id text NOT NULL,
    at timestamptz NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX given_fact ON given (fact_id);
CREATE INDEX given_chat ON given (chat_id);
CREATE INDEX given_at ON given (at);

-- One row per reminder run (its short name, as on its button): queued once by whichever
-- instance queues it first.
CREATE TABLE reminders_sent (
    key text PRIMARY KEY,
    chat_id bigint NOT NULL,
    due timestamptz NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX reminders_sent_chat ON reminders_sent (chat_id, due);
CREATE INDEX reminders_sent_due ON reminders_sent (due);

-- One row per reminder and person (`reminder|user_id`): a second press, on any instance,
-- adds nothing.
CREATE TABLE acks (
    key text PRIMARY KEY,
    chat_id bigint NOT NULL,
    at timestamptz NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX acks_chat ON acks (chat_id, at);
CREATE INDEX acks_at ON acks (at);
