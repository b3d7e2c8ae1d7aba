-- The command line is an actor of its own in the audit log: exports and case views run there are
-- recorded under the operating-system account that ran them (actor_id `cli:<user>`).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_type_check
  CHECK (actor_type IN ('user', 'token', 'system', 'anonymous', 'cli'));
