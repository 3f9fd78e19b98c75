-- Reviews: one per member per show per server, numbered per server (#1, #2, …; a number is never reused).
-- The text is stored exactly as written; escaping and spoiler markup happen when it is shown.
-- Spoiler scope: spoilers = 0 → spoiler-free (through_episode NULL); spoilers = 1 and through_episode NULL
-- → the whole series; spoilers = 1 and through_episode = N → episodes 1..N.

CREATE TABLE review_counter (
    guild_id    INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL CHECK (last_number > 0)
);

CREATE TABLE review (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    number          INTEGER NOT NULL CHECK (number > 0),
    anime_id        INTEGER NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    author_id       INTEGER NOT NULL,
    channel_id      INTEGER,
    title           TEXT    NOT NULL CHECK (title <> '' AND length(title) <= 100),
    body            TEXT    NOT NULL CHECK (body <> '' AND length(body) <= 4000),
    warnings        TEXT    CHECK (warnings IS NULL OR (warnings <> '' AND length(warnings) <= 300)),
    spoilers        INTEGER NOT NULL CHECK (spoilers IN (0, 1)),
    through_episode INTEGER CHECK (through_episode IS NULL OR through_episode > 0),
    created_at      REAL    NOT NULL,
    edited_at       REAL,
    CHECK (spoilers = 1 OR through_episode IS NULL),
    UNIQUE (guild_id, number),
    UNIQUE (guild_id, anime_id, author_id)
);
CREATE INDEX review_by_anime ON review (guild_id, anime_id, created_at DESC);

-- The message(s) a review was posted as, in order (a long review may need follow-up messages).
CREATE TABLE review_message (
    review_id  INTEGER NOT NULL REFERENCES review (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL CHECK (position >= 0),
    message_id INTEGER NOT NULL,
    PRIMARY KEY (review_id, position)
) WITHOUT ROWID;
