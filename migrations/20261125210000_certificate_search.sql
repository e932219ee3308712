-- Substring search over names without reading every row: a trigram index (FTS5) over the lowercased
-- subject and issuer that certkeeper stores in certificates.search_text. LIKE '%text%' on this table
-- uses the index for three characters or more.
CREATE VIRTUAL TABLE certificates_search USING fts5 (
    search_text,
    content = 'certificates',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO certificates_search (certificates_search) VALUES ('rebuild');
CREATE TRIGGER certificates_search_insert AFTER INSERT ON certificates BEGIN
    INSERT INTO certificates_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER certificates_search_update AFTER UPDATE OF search_text ON certificates BEGIN
    INSERT INTO certificates_search (certificates_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO certificates_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
-- OGRNIP had no index of its own, so an identifier search read every row.
CREATE INDEX certificates_ogrnip ON certificates (ogrnip);
