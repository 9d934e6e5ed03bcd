/**
 * Numbered, append-only migrations of the SQLite store. Never edit one after release: add the
 * next number. Each is applied and recorded in one `BEGIN IMMEDIATE` transaction, so many
 * processes opening a fresh store at once apply it exactly once.
 * The schema they produce is committed in `schema.sql` beside this file.
 */
import type { Migration } from '../migration-plan.js';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE baton_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE tasks (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  title            TEXT NOT NULL,
  description      TEXT,
  type             TEXT NOT NULL,
  status           TEXT NOT NULL,
  priority         TEXT NOT NULL,
  capabilities     TEXT NOT NULL DEFAULT '[]',
  cap_count        INTEGER NOT NULL DEFAULT 0,
  tags             TEXT NOT NULL DEFAULT '[]',
  parent_id        INTEGER REFERENCES tasks(id),
  estimate_minutes REAL,
  complexity       TEXT NOT NULL,
  command          TEXT,
  input            TEXT,
  result           TEXT,
  progress         REAL NOT NULL DEFAULT 0,
  assignee         TEXT,
  reserved_for     TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  retries          INTEGER NOT NULL DEFAULT 0,
  max_retries      INTEGER NOT NULL,
  retry_policy     TEXT,
  timeout_seconds  REAL,
  last_error       TEXT,
  review           TEXT,
  notes            TEXT NOT NULL DEFAULT '[]',
  checkpoints      TEXT NOT NULL DEFAULT '[]',
  artifacts        TEXT NOT NULL DEFAULT '[]',
  lease_owner      TEXT,
  lease_token      INTEGER NOT NULL DEFAULT 0,
  lease_expires_at INTEGER,
  lease_seconds    REAL,
  paused_from      TEXT,
  created_by       TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  started_at       INTEGER,
  completed_at     INTEGER,
  run_after        INTEGER NOT NULL DEFAULT 0,
  ready_at         INTEGER,
  claim_order      REAL NOT NULL DEFAULT 0,
  version          INTEGER NOT NULL DEFAULT 1
);

-- Claim paths: only open rows are indexed, so finished tasks cost the claim nothing.
CREATE INDEX tasks_claim_queued ON tasks (claim_order, cap_count DESC, id) WHERE status = 'queued';
CREATE INDEX tasks_claim_assigned ON tasks (reserved_for, claim_order, cap_count DESC, id) WHERE status = 'assigned';
CREATE INDEX tasks_lease_expiry ON tasks (lease_expires_at) WHERE status = 'executing';
CREATE INDEX tasks_status ON tasks (status, id);
CREATE INDEX tasks_assignee ON tasks (assignee, id) WHERE assignee IS NOT NULL;
CREATE INDEX tasks_parent ON tasks (parent_id, id) WHERE parent_id IS NOT NULL;
CREATE INDEX tasks_completed_at ON tasks (completed_at) WHERE completed_at IS NOT NULL;

CREATE TABLE task_dependencies (
  task_id    INTEGER NOT NULL REFERENCES tasks(id),
  depends_on INTEGER NOT NULL REFERENCES tasks(id),
  PRIMARY KEY (task_id, depends_on)
) WITHOUT ROWID;
CREATE INDEX task_dependents ON task_dependencies (depends_on, task_id);

CREATE TABLE events (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id   INTEGER,
  worker_id TEXT,
  actor     TEXT,
  type      TEXT NOT NULL,
  at        INTEGER NOT NULL,
  changes   TEXT NOT NULL DEFAULT '{}',
  data      TEXT
);
CREATE INDEX events_task ON events (task_id, id) WHERE task_id IS NOT NULL;

CREATE TABLE workers (
  id            TEXT PRIMARY KEY,
  name          TEXT,
  capabilities  TEXT NOT NULL DEFAULT '[]',
  host          TEXT,
  pid           INTEGER,
  concurrency   INTEGER NOT NULL DEFAULT 1,
  version       TEXT,
  registered_at INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  state         TEXT NOT NULL DEFAULT 'active'
);
`,
  },
  {
    version: 2,
    name: 'api keys',
    sql: `
CREATE TABLE api_keys (
  id         TEXT PRIMARY KEY,
  hash       TEXT NOT NULL UNIQUE,
  role       TEXT NOT NULL,
  worker_id  TEXT,
  name       TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
`,
  },
  {
    version: 3,
    name: 'api key capabilities',
    sql: `
ALTER TABLE api_keys ADD COLUMN capabilities TEXT NOT NULL DEFAULT '[]';
`,
  },
  {
    version: 4,
    name: 'dependency conditions',
    sql: `
ALTER TABLE task_dependencies ADD COLUMN condition TEXT;
`,
  },
  {
    version: 5,
    name: 'task resources',
    sql: `
ALTER TABLE tasks ADD COLUMN resources TEXT NOT NULL DEFAULT '[]';
-- The capacity of each resource; the tasks holding one are those executing that name it.
CREATE TABLE resources (
  name     TEXT PRIMARY KEY,
  capacity INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 6,
    name: 'recurring tasks',
    sql: `
ALTER TABLE tasks ADD COLUMN recurrence TEXT;
CREATE INDEX tasks_recurring ON tasks (id) WHERE recurrence IS NOT NULL;
`,
  },
  {
    version: 7,
    name: 'workflow definitions',
    sql: `
CREATE TABLE workflows (
  name        TEXT NOT NULL,
  version     INTEGER NOT NULL,
  description TEXT,
  definition  TEXT NOT NULL,
  source      TEXT NOT NULL,
  created_by  TEXT,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (name, version)
) WITHOUT ROWID;
`,
  },
  {
    version: 8,
    name: 'task search',
    // An external-content FTS5 index over title and description, kept in step by triggers; words
    // are matched as typed (no stemming, accents kept), as the PostgreSQL store's 'simple' config does.
    sql: `
CREATE VIRTUAL TABLE tasks_search USING fts5(
  title, description, content = 'tasks', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO tasks_search (rowid, title, description) SELECT id, title, description FROM tasks;
CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
  INSERT INTO tasks_search (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN
  INSERT INTO tasks_search (tasks_search, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
CREATE TRIGGER tasks_search_update AFTER UPDATE OF title, description ON tasks BEGIN
  INSERT INTO tasks_search (tasks_search, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
  INSERT INTO tasks_search (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE INDEX tasks_updated ON tasks (updated_at DESC, id DESC);
`,
  },
  {
    version: 9,
    name: 'workflow runs',
    sql: `
CREATE TABLE workflow_runs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow       TEXT NOT NULL,
  version        INTEGER NOT NULL,
  params         TEXT NOT NULL,
  status         TEXT NOT NULL,
  parent_task_id INTEGER,
  steps          TEXT NOT NULL,
  error          TEXT,
  created_by     TEXT,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  finished_at    INTEGER,
  revision       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX workflow_runs_status ON workflow_runs (status, id);
CREATE INDEX workflow_runs_workflow ON workflow_runs (workflow, id);
`,
  },
  {
    version: 10,
    name: 'workflow triggers',
    sql: `
CREATE TABLE workflow_triggers (
  workflow      TEXT NOT NULL,
  idx           INTEGER NOT NULL,
  version       INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  next_at       INTEGER,
  cursor        INTEGER,
  last_fired_at INTEGER,
  last_run_id   INTEGER,
  PRIMARY KEY (workflow, idx)
);
`,
  },
  {
    version: 11,
    name: 'when a sweep looks at a run',
    sql: `
ALTER TABLE workflow_runs ADD COLUMN wake_at INTEGER;
CREATE INDEX workflow_runs_wake ON workflow_runs (wake_at) WHERE status = 'running';
UPDATE workflow_runs SET wake_at = 0 WHERE status = 'running';
`,
  },
  {
    version: 12,
    name: 'ordered listings per status',
    // A board column is one status in one order (claim order, newest first): these give that order
    // straight from the index, where a status index alone sorted every task of the status per page.
    sql: `
CREATE INDEX tasks_status_claim ON tasks (status, claim_order, cap_count DESC, id);
CREATE INDEX tasks_status_updated ON tasks (status, updated_at DESC, id DESC);
`,
  },
  {
    version: 13,
    name: 'maintenance duties',
    // One row per scheduled duty (backup, retention): the period last claimed, compared and set so
    // that of several servers sharing the store only one runs it per period, and its last outcome.
    sql: `
CREATE TABLE maintenance (
  duty       TEXT PRIMARY KEY,
  period     INTEGER NOT NULL DEFAULT -1,
  holder     TEXT,
  claimed_at INTEGER,
  outcome    TEXT
);
`,
  },
  {
    version: 14,
    name: 'system pauses and named queues',
    // A task belongs to one queue ('default' unless given). A row of queue_pauses stops the claims
    // of one queue, or of every queue when its queue is '*'; claims read it in their transaction.
    sql: `
ALTER TABLE tasks ADD COLUMN queue TEXT NOT NULL DEFAULT 'default';
-- What a capped claim counts: leased tasks executing, per queue.
CREATE INDEX tasks_executing_queue ON tasks (queue) WHERE status = 'executing' AND lease_owner IS NOT NULL;
CREATE INDEX tasks_open_queue ON tasks (queue, status) WHERE status IN ('blocked', 'queued', 'assigned', 'paused');
CREATE TABLE queue_pauses (
  queue     TEXT PRIMARY KEY,
  paused_at INTEGER NOT NULL,
  paused_by TEXT
) WITHOUT ROWID;
`,
  },
  {
    version: 15,
    name: 'circuit breakers and fleet pools',
    // A worker's breaker lives on its row so that whichever server takes its claim enforces it.
    // A fleet supervisor reports each pool it runs (members, target, why it scaled) as one row,
    // read by `baton fleet status` from any terminal or server sharing the store.
    sql: `
ALTER TABLE workers ADD COLUMN breaker TEXT;
CREATE TABLE fleet_pools (
  name       TEXT PRIMARY KEY,
  supervisor TEXT NOT NULL,
  state      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    version: 16,
    name: 'worker usage',
    // The memory and CPU a worker's process last reported in its heartbeat.
    sql: `ALTER TABLE workers ADD COLUMN usage TEXT;`,
  },
  {
    version: 17,
    name: 'webhooks and alerts',
    // Hooks with a cursor in the event log (the outbox is filled from it by the server, never by a
    // claim or a completion), their deliveries, and alerts: dedup_key is the key of an alert of one
    // event, and of a condition while it holds, so an occurrence is raised once however many
    // servers look.
    sql: `
CREATE TABLE webhooks (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  url             TEXT NOT NULL,
  events          TEXT NOT NULL,
  secret          TEXT NOT NULL,
  cursor          INTEGER NOT NULL,
  failures        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  disabled_at     INTEGER,
  disabled_reason TEXT
);
CREATE TABLE webhook_deliveries (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  hook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id     INTEGER NOT NULL,
  event        TEXT NOT NULL,
  body         TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending',
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_at      INTEGER,
  last_status  INTEGER,
  last_error   TEXT,
  created_at   INTEGER NOT NULL,
  delivered_at INTEGER,
  UNIQUE (hook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (hook_id, next_at) WHERE status = 'pending';
CREATE TABLE alerts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind        TEXT NOT NULL,
  key         TEXT NOT NULL,
  dedup_key   TEXT UNIQUE,
  message     TEXT NOT NULL,
  data        TEXT NOT NULL,
  raised_at   INTEGER NOT NULL,
  resolved_at INTEGER
);
CREATE INDEX alerts_key ON alerts (key);
`,
  },
  {
    version: 18,
    name: 'push offers, auctions and bids',
    // An offer is a push waiting to be claimed or an auction taking bids; at most one per task is
    // open (the partial unique index), and it is closed by a compare-and-set on closed_at.
    sql: `
CREATE TABLE offers (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id    INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  worker_id  TEXT,
  opened_at  INTEGER NOT NULL,
  closes_at  INTEGER NOT NULL,
  closed_at  INTEGER,
  outcome    TEXT
);
CREATE UNIQUE INDEX offers_open_task ON offers (task_id) WHERE closed_at IS NULL;
CREATE INDEX offers_open ON offers (closes_at) WHERE closed_at IS NULL;
CREATE INDEX offers_task ON offers (task_id);
CREATE TABLE bids (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  offer_id    INTEGER NOT NULL,
  task_id     INTEGER NOT NULL,
  worker_id   TEXT NOT NULL,
  score       REAL NOT NULL,
  eta_seconds INTEGER,
  note        TEXT,
  at          INTEGER NOT NULL,
  UNIQUE (offer_id, worker_id)
);
CREATE INDEX bids_task ON bids (task_id);
`,
  },
  {
    version: 19,
    name: 'teams, collaborators, swarms and pipelines',
    // Team membership is read by the claim itself (a task of a team is claimable by its members
    // only), as is swarm_of: a worker never takes two attempts of one swarm.
    sql: `
ALTER TABLE tasks ADD COLUMN team TEXT;
ALTER TABLE tasks ADD COLUMN collaborators TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tasks ADD COLUMN swarm TEXT;
ALTER TABLE tasks ADD COLUMN swarm_of INTEGER;
ALTER TABLE tasks ADD COLUMN input_from INTEGER;
CREATE INDEX tasks_swarm_of ON tasks (swarm_of) WHERE swarm_of IS NOT NULL;
CREATE TABLE teams (
  name       TEXT PRIMARY KEY,
  leader     TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE team_members (
  team      TEXT NOT NULL REFERENCES teams (name) ON DELETE CASCADE,
  worker_id TEXT NOT NULL,
  PRIMARY KEY (team, worker_id)
);
`,
  },
  {
    version: 20,
    name: 'inbound hooks and GitHub issues',
    // The delivery ids each inbound hook received: the key refuses a replay on every replica.
    // GitHub issues linked to tasks (one issue per task), and each repository's ETag and cursor.
    sql: `
CREATE TABLE inbound_deliveries (
  hook        TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (hook, delivery_id)
);
CREATE TABLE github_issues (
  repo      TEXT NOT NULL,
  number    INTEGER NOT NULL,
  task_id   INTEGER NOT NULL UNIQUE,
  state     TEXT NOT NULL,
  labels    TEXT NOT NULL,
  commented INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (repo, number)
);
CREATE TABLE github_repos (
  repo      TEXT PRIMARY KEY,
  etag      TEXT,
  since     TEXT,
  synced_at INTEGER
);
`,
  },
  {
    version: 21,
    name: 'fewer index writes per claim and completion',
    // Every claim and completion changed the status of a task, and so wrote two entries of each
    // index that starts with the status: pages written on each commit. The board's ordered
    // columns are served instead by partial indexes that hold only the tasks of the statuses they
    // order (see listSql): the waiting ones in claim order, the finished ones newest first.
    // A claim no longer writes to either; a completion writes one entry.
    sql: `
DROP INDEX tasks_status_claim;
DROP INDEX tasks_status_updated;
CREATE INDEX tasks_assigned_claim ON tasks (claim_order, cap_count DESC, id) WHERE status = 'assigned';
CREATE INDEX tasks_finished_updated ON tasks (status, updated_at DESC, id DESC)
  WHERE status IN ('completed', 'failed', 'skipped', 'cancelled');
`,
  },
];

/** The newest version known (numbers are unique and increasing, not necessarily consecutive). */
export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
