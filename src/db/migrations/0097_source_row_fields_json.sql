-- A source row's fields are written once, as received, and read back only whole (by a rebuild).
-- As jsonb, each row's fields were parsed into a tree with sorted keys on the way in, the largest
-- cost of reading a COPY into source_row. As json the text is checked and kept as sent, key order
-- and all; nothing queries inside it, so nothing needs the tree.
ALTER TABLE source_row ALTER COLUMN fields TYPE json USING fields::json;
