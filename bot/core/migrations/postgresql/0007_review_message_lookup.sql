-- PostgreSQL form of migrations/0007_review_message_lookup.sql.
CREATE INDEX review_message_by_message ON review_message (message_id);
