-- Names by kind and search form: a range scan for very short queries ("s" → every name starting with s)
-- and a cheap scan of the few thousand show titles, where the word index would wade through every name.
CREATE INDEX name_kind_norm ON name (kind, norm);
