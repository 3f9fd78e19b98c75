-- PostgreSQL form of migrations/0004_name_prefix_index.sql (norm is COLLATE "C", so this index serves prefix ranges).
CREATE INDEX name_kind_norm ON name (kind, norm);
