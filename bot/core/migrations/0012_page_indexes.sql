-- Paged answers fetch one page by key and count over an index range, so a page costs the same however long the
-- list: /review read steps through a show's reviews by number (newest first); /credits through a show's staff in
-- credited order and its cast by character (voice_role's primary key); /person through a person's roles by show
-- (voice_role_person holds voice_role's primary key, so it is ordered by show already).
CREATE INDEX review_by_anime_number ON review (guild_id, anime_id, number);
CREATE INDEX staff_role_anime ON staff_role (anime_id, id);
CREATE INDEX staff_role_person_anime ON staff_role (person_id, anime_id);
