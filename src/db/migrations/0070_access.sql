-- Access: offices, users, sessions, API tokens, and the append-only, hash-chained audit log.
-- Offices as units of record scope for user accounts (the work module's `office` table holds task queues).
CREATE TABLE user_office (
  id text PRIMARY KEY,
  agency text NOT NULL CHECK (agency IN ('ORR', 'ERO', 'OPLA', 'EOIR', 'OVERSIGHT', 'ADMIN')),
  name text NOT NULL,
  -- The area an office answers for, as two-letter state codes (ERO field offices cover states).
  area_states text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE app_user (
  id bigserial PRIMARY KEY,
  username text NOT NULL UNIQUE,
  display_name text NOT NULL,
  role text NOT NULL,
  office_id text REFERENCES user_office (id),
  -- argon2id; NULL for accounts that sign in only through single sign-on.
  password_hash text,
  oidc_subject text UNIQUE,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  -- Set by an administrator; a disabled account cannot sign in until unlocked.
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);

-- Only a hash of the session id is kept, so a copy of this table opens no session.
CREATE TABLE user_session (
  id_hash text PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL
);
CREATE INDEX user_session_user_idx ON user_session (user_id);

-- Tokens for agency systems: one permission, optionally bound to one resource (a feed source, a
-- subscription). Only the SHA-256 of the secret is stored; it is shown once when created.
CREATE TABLE api_token (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  secret_hash text NOT NULL UNIQUE,
  permission text NOT NULL,
  resource text,
  agency text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_used_at timestamptz
);

-- Every disclosure and change, in the transaction of the act. `seq` is assigned under an advisory
-- lock with no gaps, and each row's hash covers the previous hash and its own content, so any edit,
-- removal or reordering breaks the chain (`bridge audit verify`).
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'token', 'system', 'anonymous')),
  actor_id text NOT NULL,
  role text,
  action text NOT NULL,
  purpose text,
  outcome text NOT NULL,
  child_ids text[] NOT NULL DEFAULT '{}',
  target text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE INDEX audit_log_child_idx ON audit_log USING gin (child_ids);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- The last entry's seq and hash, kept in step with the log: removing the newest entries is
-- detected too.
CREATE TABLE audit_head (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL,
  hash text NOT NULL
);

CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();

-- The head only moves forward.
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.seq <= OLD.seq THEN
    RAISE EXCEPTION 'audit_head only moves forward';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
