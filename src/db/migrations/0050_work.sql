-- Work: every alert that calls for action becomes a task in the office that must act, with a
-- deadline, an owner, notes, attachments (by reference), an outcome and a full history. Tasks are
-- stored and indexed; worklists read them, they are never recomputed per request.

-- Offices that own tasks. ERO field offices are fixed (25 areas of responsibility); OPLA and EOIR
-- offices are keyed by immigration court code and added when a task first needs one; ORR is one
-- national queue. The UNROUTED queues hold tasks whose office cannot be determined, so nothing is
-- dropped.
CREATE TABLE office (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('ERO', 'OPLA', 'EOIR', 'ORR')),
  name text NOT NULL,
  -- Where overdue tasks escalate to.
  supervisor_queue text NOT NULL
);

-- ERO routing as rows (same answers as fieldOfficeFor in src/work/field-offices.ts; a test keeps
-- them equal): a 5-digit ZIP entry wins over a 3-digit prefix, which wins over the state ('').
CREATE TABLE ero_route (
  state text NOT NULL,
  prefix text NOT NULL,
  office text NOT NULL,
  PRIMARY KEY (state, prefix)
);

-- The ERO field office for an address (state, ZIP), or null when no office covers the state.
CREATE FUNCTION ero_office(st text, zip text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT er.office FROM ero_route er
   WHERE er.state = upper(trim(st))
     AND (er.prefix = '' OR (trim(zip) ~ '^[0-9]{5}' AND er.prefix IN (left(trim(zip), 3), left(trim(zip), 5))))
   ORDER BY length(er.prefix) DESC
   LIMIT 1
$$;

-- Outcome codes a task closes with (documented in docs/work.md; src/work/outcomes.ts mirrors them).
CREATE TABLE task_outcome (
  code text PRIMARY KEY,
  label text NOT NULL,
  -- Set by the system only (the alert's facts changed), never chosen by a person.
  system_only boolean NOT NULL DEFAULT false
);
INSERT INTO task_outcome (code, label, system_only) VALUES
  ('located_address_confirmed', 'Child located and address confirmed', false),
  ('address_updated_with_court', 'Address updated with the court', false),
  ('nta_served', 'Notice to Appear served', false),
  ('nta_filed', 'Notice to Appear filed with the court', false),
  ('hearing_scheduled', 'Hearing scheduled and notice sent', false),
  ('case_updated', 'Court case updated (motion or change of address filed)', false),
  ('welfare_check_done', 'Welfare check done with the sponsor', false),
  ('referred_orr_welfare_check', 'Referred to ORR for a welfare check', false),
  ('referred_law_enforcement', 'Referred to law enforcement', false),
  ('unable_to_locate', 'Unable to locate after the recorded number of attempts', false),
  ('not_actionable', 'Not actionable by this office (explained in the note)', false),
  ('resolved_by_facts', 'Resolved: the alert closed because the facts changed', true);

CREATE TABLE task (
  id bigserial PRIMARY KEY,
  -- The alert this task answers; a task reopened for a returning alert points at the new alert.
  alert_id bigint NOT NULL REFERENCES alert (id),
  child_id text NOT NULL REFERENCES child (id),
  rule_id text NOT NULL,
  office_id text NOT NULL REFERENCES office (id),
  office_kind text NOT NULL CHECK (office_kind IN ('ERO', 'OPLA', 'EOIR', 'ORR')),
  -- What this office must do (from the rule catalogue).
  action text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  -- 0 critical .. 3 low, so worklists sort most severe first on an index.
  severity_rank smallint NOT NULL,
  due_on date NOT NULL,
  -- US state of the address the task was routed by (for filters); null when unknown.
  addr_state text,
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  assigned_to text,
  assigned_at timestamptz,
  escalated_at timestamptz,
  escalated_to text,
  opened_at timestamptz NOT NULL,
  reopened_count integer NOT NULL DEFAULT 0,
  closed_at timestamptz,
  closed_by text,
  outcome text REFERENCES task_outcome (code),
  outcome_note text,
  attempts integer,
  updated_at timestamptz NOT NULL,
  CHECK ((status = 'open') = (closed_at IS NULL)),
  CHECK (status = 'open' OR outcome IS NOT NULL)
);
-- One task per alert and office kind; at most one open task per child, rule and office kind.
CREATE UNIQUE INDEX task_alert_kind_idx ON task (alert_id, office_kind);
CREATE UNIQUE INDEX task_open_child_rule_kind_idx ON task (child_id, rule_id, office_kind)
  WHERE status = 'open';
-- Worklists: an office's queue and a person's queue, most severe then soonest due first.
CREATE INDEX task_office_worklist_idx ON task (office_id, status, severity_rank, due_on, id);
CREATE INDEX task_assignee_worklist_idx ON task (assigned_to, status, severity_rank, due_on, id)
  WHERE assigned_to IS NOT NULL;
-- Escalation sweep: open tasks by deadline.
CREATE INDEX task_open_due_idx ON task (due_on) WHERE status = 'open' AND escalated_at IS NULL;
CREATE INDEX task_child_idx ON task (child_id);

CREATE TABLE task_note (
  id bigserial PRIMARY KEY,
  task_id bigint NOT NULL REFERENCES task (id),
  author text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX task_note_task_idx ON task_note (task_id);

-- Attachments are references (a document id or URI in another system), never file contents.
CREATE TABLE task_attachment (
  id bigserial PRIMARY KEY,
  task_id bigint NOT NULL REFERENCES task (id),
  ref text NOT NULL,
  description text NOT NULL,
  added_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX task_attachment_task_idx ON task_attachment (task_id);

-- Every change to a task, with who and when; rows are only ever added.
CREATE TABLE task_event (
  id bigserial PRIMARY KEY,
  task_id bigint NOT NULL REFERENCES task (id),
  kind text NOT NULL CHECK (kind IN ('opened', 'assigned', 'note', 'attachment', 'escalated', 'closed', 'reopened', 'rerouted')),
  actor text NOT NULL,
  at timestamptz NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX task_event_task_idx ON task_event (task_id, id);

INSERT INTO ero_route (state, prefix, office) VALUES
  ('AK', '', 'Seattle'), ('AL', '', 'New Orleans'), ('AR', '', 'New Orleans'), ('AZ', '', 'Phoenix'), ('CA', '', 'Los Angeles'), ('CA', '919', 'San Diego'),
  ('CA', '920', 'San Diego'), ('CA', '921', 'San Diego'), ('CA', '92222', 'San Diego'), ('CA', '92227', 'San Diego'), ('CA', '92231', 'San Diego'), ('CA', '92232', 'San Diego'),
  ('CA', '92233', 'San Diego'), ('CA', '92243', 'San Diego'), ('CA', '92244', 'San Diego'), ('CA', '92249', 'San Diego'), ('CA', '92250', 'San Diego'), ('CA', '92251', 'San Diego'),
  ('CA', '92257', 'San Diego'), ('CA', '92259', 'San Diego'), ('CA', '92266', 'San Diego'), ('CA', '92273', 'San Diego'), ('CA', '92274', 'San Diego'), ('CA', '92275', 'San Diego'),
  ('CA', '92281', 'San Diego'), ('CA', '92283', 'San Diego'), ('CA', '939', 'San Francisco'), ('CA', '940', 'San Francisco'), ('CA', '941', 'San Francisco'), ('CA', '942', 'San Francisco'),
  ('CA', '943', 'San Francisco'), ('CA', '944', 'San Francisco'), ('CA', '945', 'San Francisco'), ('CA', '946', 'San Francisco'), ('CA', '947', 'San Francisco'), ('CA', '948', 'San Francisco'),
  ('CA', '949', 'San Francisco'), ('CA', '950', 'San Francisco'), ('CA', '951', 'San Francisco'), ('CA', '952', 'San Francisco'), ('CA', '953', 'San Francisco'), ('CA', '954', 'San Francisco'),
  ('CA', '955', 'San Francisco'), ('CA', '956', 'San Francisco'), ('CA', '957', 'San Francisco'), ('CA', '958', 'San Francisco'), ('CA', '959', 'San Francisco'), ('CA', '960', 'San Francisco'),
  ('CA', '961', 'San Francisco'), ('CO', '', 'Denver'), ('CT', '', 'Boston'), ('DC', '', 'Washington'), ('DE', '', 'Philadelphia'), ('FL', '', 'Miami'),
  ('GA', '', 'Atlanta'), ('GU', '', 'San Francisco'), ('HI', '', 'San Francisco'), ('IA', '', 'St. Paul'), ('ID', '', 'Salt Lake City'), ('IL', '', 'Chicago'),
  ('IN', '', 'Chicago'), ('KS', '', 'Chicago'), ('KY', '', 'Chicago'), ('LA', '', 'New Orleans'), ('MA', '', 'Boston'), ('MD', '', 'Baltimore'),
  ('ME', '', 'Boston'), ('MI', '', 'Detroit'), ('MN', '', 'St. Paul'), ('MO', '', 'Chicago'), ('MP', '', 'San Francisco'), ('MS', '', 'New Orleans'),
  ('MT', '', 'Salt Lake City'), ('NC', '', 'Atlanta'), ('ND', '', 'St. Paul'), ('NE', '', 'St. Paul'), ('NH', '', 'Boston'), ('NJ', '', 'Newark'),
  ('NM', '', 'El Paso'), ('NV', '', 'Salt Lake City'), ('NY', '', 'Buffalo'), ('NY', '005', 'New York City'), ('NY', '063', 'New York City'), ('NY', '100', 'New York City'),
  ('NY', '101', 'New York City'), ('NY', '102', 'New York City'), ('NY', '103', 'New York City'), ('NY', '104', 'New York City'), ('NY', '105', 'New York City'), ('NY', '106', 'New York City'),
  ('NY', '107', 'New York City'), ('NY', '108', 'New York City'), ('NY', '109', 'New York City'), ('NY', '110', 'New York City'), ('NY', '111', 'New York City'), ('NY', '112', 'New York City'),
  ('NY', '113', 'New York City'), ('NY', '114', 'New York City'), ('NY', '115', 'New York City'), ('NY', '116', 'New York City'), ('NY', '117', 'New York City'), ('NY', '118', 'New York City'),
  ('NY', '119', 'New York City'), ('NY', '124', 'New York City'), ('NY', '125', 'New York City'), ('NY', '126', 'New York City'), ('NY', '127', 'New York City'), ('OH', '', 'Detroit'),
  ('OK', '', 'Dallas'), ('OR', '', 'Seattle'), ('PA', '', 'Philadelphia'), ('PR', '', 'Miami'), ('RI', '', 'Boston'), ('SC', '', 'Atlanta'),
  ('SD', '', 'St. Paul'), ('TN', '', 'New Orleans'), ('TX', '', 'San Antonio'), ('TX', '733', 'San Antonio'), ('TX', '739', 'Dallas'), ('TX', '750', 'Dallas'),
  ('TX', '751', 'Dallas'), ('TX', '752', 'Dallas'), ('TX', '753', 'Dallas'), ('TX', '754', 'Dallas'), ('TX', '755', 'Dallas'), ('TX', '756', 'Dallas'),
  ('TX', '757', 'Dallas'), ('TX', '758', 'Dallas'), ('TX', '759', 'Dallas'), ('TX', '760', 'Dallas'), ('TX', '761', 'Dallas'), ('TX', '762', 'Dallas'),
  ('TX', '763', 'Dallas'), ('TX', '764', 'Dallas'), ('TX', '765', 'San Antonio'), ('TX', '766', 'San Antonio'), ('TX', '767', 'San Antonio'), ('TX', '768', 'San Antonio'),
  ('TX', '769', 'San Antonio'), ('TX', '770', 'Houston'), ('TX', '771', 'Houston'), ('TX', '772', 'Houston'), ('TX', '773', 'Houston'), ('TX', '774', 'Houston'),
  ('TX', '775', 'Houston'), ('TX', '776', 'Houston'), ('TX', '777', 'Houston'), ('TX', '778', 'Houston'), ('TX', '779', 'Houston'), ('TX', '780', 'San Antonio'),
  ('TX', '781', 'San Antonio'), ('TX', '782', 'San Antonio'), ('TX', '783', 'Harlingen'), ('TX', '784', 'Harlingen'), ('TX', '785', 'Harlingen'), ('TX', '786', 'San Antonio'),
  ('TX', '787', 'San Antonio'), ('TX', '788', 'San Antonio'), ('TX', '789', 'San Antonio'), ('TX', '790', 'Dallas'), ('TX', '791', 'Dallas'), ('TX', '792', 'Dallas'),
  ('TX', '793', 'Dallas'), ('TX', '794', 'Dallas'), ('TX', '795', 'Dallas'), ('TX', '796', 'Dallas'), ('TX', '797', 'El Paso'), ('TX', '798', 'El Paso'),
  ('TX', '799', 'El Paso'), ('TX', '885', 'El Paso'), ('UT', '', 'Salt Lake City'), ('VA', '', 'Washington'), ('VI', '', 'Miami'), ('VT', '', 'Boston'),
  ('WA', '', 'Seattle'), ('WI', '', 'Chicago'), ('WV', '', 'Philadelphia'), ('WY', '', 'Denver');

INSERT INTO office (id, kind, name, supervisor_queue) VALUES
  ('ERO:Atlanta', 'ERO', 'ERO Atlanta Field Office', 'ERO:Atlanta:supervisor'),
  ('ERO:Baltimore', 'ERO', 'ERO Baltimore Field Office', 'ERO:Baltimore:supervisor'),
  ('ERO:Boston', 'ERO', 'ERO Boston Field Office', 'ERO:Boston:supervisor'),
  ('ERO:Buffalo', 'ERO', 'ERO Buffalo Field Office', 'ERO:Buffalo:supervisor'),
  ('ERO:Chicago', 'ERO', 'ERO Chicago Field Office', 'ERO:Chicago:supervisor'),
  ('ERO:Dallas', 'ERO', 'ERO Dallas Field Office', 'ERO:Dallas:supervisor'),
  ('ERO:Denver', 'ERO', 'ERO Denver Field Office', 'ERO:Denver:supervisor'),
  ('ERO:Detroit', 'ERO', 'ERO Detroit Field Office', 'ERO:Detroit:supervisor'),
  ('ERO:El Paso', 'ERO', 'ERO El Paso Field Office', 'ERO:El Paso:supervisor'),
  ('ERO:Harlingen', 'ERO', 'ERO Harlingen Field Office', 'ERO:Harlingen:supervisor'),
  ('ERO:Houston', 'ERO', 'ERO Houston Field Office', 'ERO:Houston:supervisor'),
  ('ERO:Los Angeles', 'ERO', 'ERO Los Angeles Field Office', 'ERO:Los Angeles:supervisor'),
  ('ERO:Miami', 'ERO', 'ERO Miami Field Office', 'ERO:Miami:supervisor'),
  ('ERO:New Orleans', 'ERO', 'ERO New Orleans Field Office', 'ERO:New Orleans:supervisor'),
  ('ERO:New York City', 'ERO', 'ERO New York City Field Office', 'ERO:New York City:supervisor'),
  ('ERO:Newark', 'ERO', 'ERO Newark Field Office', 'ERO:Newark:supervisor'),
  ('ERO:Philadelphia', 'ERO', 'ERO Philadelphia Field Office', 'ERO:Philadelphia:supervisor'),
  ('ERO:Phoenix', 'ERO', 'ERO Phoenix Field Office', 'ERO:Phoenix:supervisor'),
  ('ERO:Salt Lake City', 'ERO', 'ERO Salt Lake City Field Office', 'ERO:Salt Lake City:supervisor'),
  ('ERO:San Antonio', 'ERO', 'ERO San Antonio Field Office', 'ERO:San Antonio:supervisor'),
  ('ERO:San Diego', 'ERO', 'ERO San Diego Field Office', 'ERO:San Diego:supervisor'),
  ('ERO:San Francisco', 'ERO', 'ERO San Francisco Field Office', 'ERO:San Francisco:supervisor'),
  ('ERO:Seattle', 'ERO', 'ERO Seattle Field Office', 'ERO:Seattle:supervisor'),
  ('ERO:St. Paul', 'ERO', 'ERO St. Paul Field Office', 'ERO:St. Paul:supervisor'),
  ('ERO:Washington', 'ERO', 'ERO Washington Field Office', 'ERO:Washington:supervisor'),
  ('ERO:UNROUTED', 'ERO', 'ERO tasks without a usable address (supervisor review)', 'ERO:UNROUTED:supervisor'),
  ('OPLA:UNROUTED', 'OPLA', 'OPLA tasks without a known court', 'OPLA:UNROUTED:supervisor'),
  ('EOIR:UNROUTED', 'EOIR', 'EOIR tasks without a known court', 'EOIR:UNROUTED:supervisor'),
  ('ORR', 'ORR', 'ORR national post-release queue', 'ORR:supervisor');
