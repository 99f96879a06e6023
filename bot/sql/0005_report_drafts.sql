-- Reports bot admins sent, under review in their private chat (issue 17). A draft is claimed
-- for adding by updating its state from 'open' (one instance, one press wins); drafts older
-- than a week are deleted.
CREATE TABLE report_drafts (
    key text PRIMARY KEY,
    admin_id bigint NOT NULL,
    state text NOT NULL,
    created_at timestamptz NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX report_drafts_admin ON report_drafts (admin_id, created_at);
CREATE INDEX report_drafts_created ON report_drafts (created_at);
