-- Incremental runs refresh the review queue for the pairs that touch their records, looked up by
-- either side: record_a is covered by the unique (record_a, record_b) index, record_b by this one.
CREATE INDEX review_pair_record_b_idx ON review_pair (record_b);
