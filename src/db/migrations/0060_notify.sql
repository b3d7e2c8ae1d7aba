-- Notify: who subscribes to which events, the transactional outbox of events, one delivery per
-- (event, subscription) claimed with FOR UPDATE SKIP LOCKED, and the log of every attempt.

CREATE TABLE notify_subscription (
  id bigserial PRIMARY KEY,
  -- The receiving agency decides which fields a payload may carry.
  agency text NOT NULL CHECK (agency IN ('ORR', 'ICE_ERO', 'ICE_OPLA', 'EOIR', 'OVERSIGHT')),
  name text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('webhook', 'email')),
  -- Webhook endpoint, or the mailbox of a person or an office.
  target text NOT NULL,
  -- Standard Webhooks signing secret (whsec_...). Never logged, never listed.
  secret text,
  event_types text[] NOT NULL,
  -- Filters; NULL means any.
  offices text[],
  states text[],
  min_severity text NOT NULL DEFAULT 'info' CHECK (min_severity IN ('info', 'warning', 'critical')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  disabled_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  CHECK (channel <> 'webhook' OR secret IS NOT NULL)
);

-- The outbox: written in the same transaction as the change that caused it.
CREATE TABLE notify_event (
  id bigserial PRIMARY KEY,
  -- CloudEvents id; the same for every receiver of the event.
  event_id text NOT NULL UNIQUE,
  type text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  child_id text,
  office text,
  state text,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  data jsonb NOT NULL
);
CREATE INDEX notify_event_child_idx ON notify_event (child_id);

CREATE TABLE notify_delivery (
  id bigserial PRIMARY KEY,
  -- NULL for a digest, which carries the deliveries that point to it through digest_id.
  event_pk bigint REFERENCES notify_event (id),
  subscription_id bigint NOT NULL REFERENCES notify_subscription (id),
  -- Sent as webhook-id (and Message-ID for mail); the same on every retry so receivers can drop
  -- duplicates.
  idempotency_key text NOT NULL UNIQUE,
  -- pending → delivering → delivered | pending (retry) | dead; e-mail of non-critical events
  -- waits as 'digest' until the daily digest folds it into one message ('digested').
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'delivering', 'delivered', 'dead', 'digest', 'digested')),
  digest_id bigint REFERENCES notify_delivery (id),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_by text,
  locked_at timestamptz,
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  UNIQUE (event_pk, subscription_id)
);
CREATE INDEX notify_delivery_ready_idx ON notify_delivery (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX notify_delivery_running_idx ON notify_delivery (locked_at) WHERE status = 'delivering';
CREATE INDEX notify_delivery_digest_idx ON notify_delivery (subscription_id) WHERE status = 'digest';
CREATE INDEX notify_delivery_status_idx ON notify_delivery (status, id);

-- The delivery log: one row per attempt, never updated.
CREATE TABLE notify_attempt (
  id bigserial PRIMARY KEY,
  delivery_id bigint NOT NULL REFERENCES notify_delivery (id),
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL,
  latency_ms integer NOT NULL,
  -- HTTP status, or the SMTP reply code; NULL when no answer came (refused, timeout).
  status_code integer,
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'dead', 'gone')),
  error text,
  worker text NOT NULL
);
CREATE INDEX notify_attempt_delivery_idx ON notify_attempt (delivery_id, attempt);
