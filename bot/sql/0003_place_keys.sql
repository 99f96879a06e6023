-- Subscriptions, groups and announcements name a unit of either map by its place key (a
-- former district `d765`, a current ward `w04792`, …), no longer by a former district's code
-- (`765`): the same change as the TinyDB state's schema 3 (bot/migrations.py).

ALTER TABLE subscriptions RENAME COLUMN district TO place;
UPDATE subscriptions
SET place = 'd' || (doc ->> 'district'),
    doc = (doc - 'district') || jsonb_build_object('place', 'd' || (doc ->> 'district'))
WHERE jsonb_typeof(doc -> 'district') = 'string';

UPDATE groups
SET doc = (doc - 'districts') || jsonb_build_object('places', (
    SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(code) = 'string'
                                   THEN to_jsonb('d' || (code #>> '{}')) ELSE code END
                              ORDER BY n), '[]'::jsonb)
    FROM jsonb_array_elements(doc -> 'districts') WITH ORDINALITY AS codes (code, n)))
WHERE jsonb_typeof(doc -> 'districts') = 'array';

-- An announcement to every group had no district (null): it has no place either.
UPDATE announcements
SET doc = (doc - 'district') || jsonb_build_object('place', CASE
    WHEN jsonb_typeof(doc -> 'district') = 'string' THEN to_jsonb('d' || (doc ->> 'district'))
    ELSE doc -> 'district' END)
WHERE doc ? 'district';
