-- A file's header line is kept once, on its batch, and an accepted row from a file keeps its raw
-- text only: its fields are that text read with the header (fieldsFromText in
-- src/feeds/read-feed-file.ts), as reading the file gave them. Writing them again as JSON with every
-- row doubled what each row stored and was about a tenth of an ingest's time. Rows pushed over
-- HTTP (their raw text is the JSON record), quarantined rows and rows stored before keep their
-- fields.
ALTER TABLE feed_batch ADD COLUMN header text;
ALTER TABLE source_row ALTER COLUMN fields DROP NOT NULL;
