-- Events and missions. An event is a post (a `statuses` row: its author, audience, circle,
-- text for Mastodon readers, uri, visibility checks and timelines all come from there) plus an
-- `events` row with what makes it an event. A mission is an event whose shifts are events too
-- (`mission_id` names their mission). Participations are `participants` rows.
-- Same conventions as 0001: 64-bit integers, Unix microseconds, 0/1 booleans; coordinates as
-- decimal text.

CREATE TABLE events (
    status_id {{bigint}} PRIMARY KEY REFERENCES statuses(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    starts_at {{bigint}} NOT NULL,
    ends_at {{bigint}} NOT NULL,
    -- IANA name, e.g. Europe/Paris
    timezone TEXT NOT NULL,
    -- confirmed | tentative | cancelled
    status TEXT NOT NULL DEFAULT 'confirmed',
    -- free | approval | invite | external
    join_mode TEXT NOT NULL DEFAULT 'free',
    external_url TEXT,
    -- NULL: no limit
    capacity {{bigint}},
    category TEXT,
    place_name TEXT,
    street TEXT,
    postcode TEXT,
    locality TEXT,
    departement TEXT,
    latitude TEXT,
    longitude TEXT,
    online_url TEXT,
    -- the group (or person) organizing; the author is in statuses.account_id
    organizer_id {{bigint}} REFERENCES accounts(id) ON DELETE SET NULL,
    -- 1 for a mission (its shifts are events with mission_id = this status_id)
    is_mission {{bigint}} NOT NULL DEFAULT 0,
    mission_id {{bigint}} REFERENCES events(status_id) ON DELETE CASCADE,
    -- remote events: the participant count their server published
    remote_participants {{bigint}},
    updated_at {{bigint}} NOT NULL
);
CREATE INDEX events_starts ON events(starts_at);
CREATE INDEX events_organizer ON events(organizer_id, starts_at);
CREATE INDEX events_mission ON events(mission_id);
CREATE INDEX events_departement ON events(departement, starts_at);

CREATE TABLE participants (
    id {{id}},
    event_id {{bigint}} NOT NULL REFERENCES events(status_id) ON DELETE CASCADE,
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- pending | accepted | waiting | rejected
    state TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    -- the Join activity's id
    uri TEXT,
    -- after the event: 1 came, 0 did not, NULL not recorded
    attended {{bigint}},
    created_at {{bigint}} NOT NULL,
    accepted_at {{bigint}},
    UNIQUE (event_id, account_id)
);
CREATE INDEX participants_account ON participants(account_id, state);
CREATE INDEX participants_event ON participants(event_id, state, id);
CREATE INDEX participants_uri ON participants(uri);
