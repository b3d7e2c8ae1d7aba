-- Rules and alerts: the settings of each gap rule (defaults come from the catalogue in code; a row
-- here overrides one setting) and every alert with its history. An alert opens when a rule starts
-- to hold for a child and closes, with the reason, when the facts change; closed alerts are kept.

CREATE TABLE rule_setting (
  rule_id text NOT NULL,
  key text NOT NULL,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (rule_id, key)
);

CREATE TABLE alert (
  id bigserial PRIMARY KEY,
  child_id text NOT NULL REFERENCES child (id),
  rule_id text NOT NULL,
  -- The date from which the rule holds by the facts (not when it was noticed), and when it was noticed.
  opened_on date NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  -- The as-of date of the evaluation that found the rule no longer holds, and why.
  closed_on date,
  closed_at timestamptz,
  close_reason text,
  severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  -- Office kinds that must act (ORR, ERO, OPLA, EOIR); the first one owns the remedy.
  office_kinds text[] NOT NULL,
  -- The ERO field office (or court) that must act, routed by address later by the work module.
  field_office text,
  -- US state of the child's current address when evaluated (for routing and filtering).
  addr_state text,
  due_on date,
  -- The record rows (record.id) whose facts raised the alert.
  record_pks bigint[] NOT NULL,
  details jsonb NOT NULL,
  -- The as-of date of the latest evaluation that confirmed or refreshed the alert.
  evaluated_on date NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- At most one open alert per child and rule.
CREATE UNIQUE INDEX alert_open_child_rule_idx ON alert (child_id, rule_id) WHERE closed_at IS NULL;
CREATE INDEX alert_child_idx ON alert (child_id);
CREATE INDEX alert_rule_opened_idx ON alert (rule_id, opened_on);
CREATE INDEX alert_open_rule_idx ON alert (rule_id) WHERE closed_at IS NULL;
CREATE INDEX alert_office_kinds_idx ON alert USING gin (office_kinds);

-- Address look-ups by the rules (missing unit, recurring addresses, drift): rows at one street and ZIP.
CREATE INDEX record_addr_zip_line_idx ON record (addr_zip5, addr_line) WHERE addr_line IS NOT NULL;
