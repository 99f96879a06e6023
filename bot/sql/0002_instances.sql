-- What several instances of the bot share beyond the state: who is alive, the send budget
-- and the knowledge-base version every instance answers from.

-- One row per running instance, its heartbeat in `seen_at`. Claims of an instance not seen
-- for a while are free for the others.
CREATE TABLE instances (
    id text PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    doc jsonb NOT NULL DEFAULT '{}'
);

-- Telegram's limits as one budget for all instances: each scope ('all', or a group's chat id)
-- hands out send times at least `interval` apart; `next_at` is the first one still free.
CREATE TABLE send_budget (
    scope text PRIMARY KEY,
    next_at timestamptz NOT NULL
);

-- Book the next send time of `scope`: returns the seconds to wait for it (>= 0); or, when the
-- first free time is more than `horizon` seconds away, books nothing and returns minus the
-- seconds after which to ask again.
CREATE FUNCTION take_send_slot(p_scope text, p_interval double precision,
                               p_horizon double precision)
RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    booked timestamptz;
    now_at timestamptz;
    slot timestamptz;
BEGIN
    INSERT INTO send_budget (scope, next_at) VALUES (p_scope, clock_timestamp())
    ON CONFLICT (scope) DO NOTHING;
    SELECT next_at INTO booked FROM send_budget WHERE scope = p_scope FOR UPDATE;
    now_at := clock_timestamp();
    slot := greatest(booked, now_at);
    IF slot > now_at + make_interval(secs => p_horizon) THEN
        RETURN -extract(epoch FROM slot - now_at - make_interval(secs => p_horizon));
    END IF;
    UPDATE send_budget SET next_at = slot + make_interval(secs => p_interval)
    WHERE scope = p_scope;
    RETURN extract(epoch FROM slot - now_at);
END
$$;

-- The knowledge base as published by a reload: every instance loads the newest one. The
-- instance in `announced_by` told the groups about its new figures (one does).
CREATE TABLE kb_versions (
    id bigserial PRIMARY KEY,
    digest text NOT NULL,
    files jsonb NOT NULL,
    published_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_by text NOT NULL,
    announced_by text
);
