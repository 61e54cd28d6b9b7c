-- Preview cards: the title, description and picture of the page a post's first link leads
-- to (OpenGraph), fetched once per address through the guard against private addresses, and
-- shared by every post that links there.
CREATE TABLE preview_cards (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    -- pending (to fetch), ready, failed.
    state TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    provider_name TEXT NOT NULL DEFAULT '',
    -- The page's picture: its address there, and our copy (a medium of the instance actor).
    image_url TEXT,
    image_media_id INTEGER REFERENCES media(id) ON DELETE SET NULL,
    locked_by TEXT,
    locked_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    fetched_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX preview_cards_url ON preview_cards(url);
CREATE INDEX preview_cards_pending ON preview_cards(state, id);
CREATE INDEX preview_cards_image ON preview_cards(image_media_id) WHERE image_media_id IS NOT NULL;

-- The card a post shows.
CREATE TABLE status_cards (
    status_id INTEGER PRIMARY KEY REFERENCES statuses(id) ON DELETE CASCADE,
    card_id INTEGER NOT NULL REFERENCES preview_cards(id) ON DELETE CASCADE
);
CREATE INDEX status_cards_card ON status_cards(card_id);
