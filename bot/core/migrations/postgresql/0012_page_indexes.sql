-- PostgreSQL form of migrations/0012_page_indexes.sql: the same indexes.
CREATE INDEX review_by_anime_number ON review (guild_id, anime_id, number);
CREATE INDEX staff_role_anime ON staff_role (anime_id, id);
CREATE INDEX staff_role_person_anime ON staff_role (person_id, anime_id);
