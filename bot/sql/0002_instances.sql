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
-- hands out send times at least an interval apart; `next_at` is the first one still free.
CREATE TABLE send_budget (
    scope text PRIMARY KEY,
    next_at timestamptz NOT NULL
);

-- Book one send time, free both for the group (`p_group`, NULL for a private chat) and for
-- all messages, at most `p_group_horizon` and `p_horizon` seconds ahead: `wait` is the seconds
-- to wait for it. When one of them has nothing free that soon, nothing is booked: `wait` is
-- minus the seconds after which to ask again, `waiting_for` says which ('group' or 'all').
-- Locks the group's row before the shared one, so bookings never deadlock.
CREATE FUNCTION take_send_slot(p_group text, p_group_interval double precision,
                               p_interval double precision, p_group_horizon double precision,
                               p_horizon double precision,
                               OUT wait double precision, OUT waiting_for text)
LANGUAGE plpgsql AS $$
DECLARE
    group_next timestamptz;
    all_next timestamptz;
    now_at timestamptz;
    slot timestamptz;
BEGIN
    IF p_group IS NOT NULL THEN
        INSERT INTO send_budget VALUES (p_group, '-infinity') ON CONFLICT DO NOTHING;
        SELECT next_at INTO group_next FROM send_budget WHERE scope = p_group FOR UPDATE;
    END IF;
    IF p_interval > 0 THEN
        INSERT INTO send_budget VALUES ('all', '-infinity') ON CONFLICT DO NOTHING;
        SELECT next_at INTO all_next FROM send_budget WHERE scope = 'all' FOR UPDATE;
    END IF;
    now_at := clock_timestamp();
    group_next := greatest(group_next, now_at);
    all_next := greatest(all_next, now_at);
    IF group_next > now_at + make_interval(secs => p_group_horizon) THEN
        wait := -extract(epoch FROM group_next - now_at - make_interval(secs => p_group_horizon));
        waiting_for := 'group';
        RETURN;
    END IF;
    IF all_next > now_at + make_interval(secs => p_horizon) THEN
        wait := -extract(epoch FROM all_next - now_at - make_interval(secs => p_horizon));
        waiting_for := 'all';
        RETURN;
    END IF;
    slot := greatest(group_next, all_next);
    IF p_group IS NOT NULL THEN
        UPDATE send_budget SET next_at = slot + make_interval(secs => p_group_interval)
        WHERE scope = p_group;
    END IF;
    IF p_interval > 0 THEN
        UPDATE send_budget SET next_at = slot + make_interval(secs => p_interval)
        WHERE scope = 'all';
    END IF;
    wait := extract(epoch FROM slot - now_at);
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
