/**
 * Versioned schema migrations. `PRAGMA user_version` holds the number of
 * migrations applied; each runs in its own transaction. Append only: never
 * edit a migration that has shipped, add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: library index, incoming and outgoing transactions, remotes, settings, tokens
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    client TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );

  CREATE TABLE library_roots (
    path TEXT PRIMARY KEY,
    added_at INTEGER NOT NULL,
    last_scan_at INTEGER
  );

  CREATE TABLE library_files (
    path TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('indexed', 'skipped', 'conflict')),
    reason TEXT,
    message TEXT,
    sop_instance_uid TEXT,
    sop_class_uid TEXT,
    study_uid TEXT,
    series_uid TEXT,
    transfer_syntax_uid TEXT,
    patient_name TEXT,
    patient_id TEXT,
    study_date TEXT,
    study_description TEXT,
    accession_number TEXT,
    modality TEXT,
    series_number INTEGER,
    series_description TEXT,
    instance_number INTEGER,
    indexed_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX library_files_sop ON library_files (sop_instance_uid) WHERE status = 'indexed';
  CREATE INDEX library_files_series ON library_files (study_uid, series_uid) WHERE status = 'indexed';
  CREATE INDEX library_files_root ON library_files (root);
  CREATE INDEX library_files_conflict ON library_files (sop_instance_uid) WHERE status = 'conflict';

  CREATE TABLE incoming (
    transaction_uid TEXT PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('dicomweb', 'dimse')),
    client TEXT NOT NULL,
    requester TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('working', 'done', 'expired')),
    media_type TEXT,
    policy TEXT NOT NULL,
    instance_count INTEGER NOT NULL,
    committed_count INTEGER NOT NULL DEFAULT 0,
    failed_count INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    completed_at INTEGER,
    expires_at INTEGER,
    forget_at INTEGER,
    report_state TEXT,
    report_attempts INTEGER NOT NULL DEFAULT 0,
    report_error TEXT,
    report_next_at INTEGER,
    report_meta TEXT
  );
  CREATE INDEX incoming_state ON incoming (state);
  CREATE INDEX incoming_received ON incoming (received_at);

  CREATE TABLE incoming_instances (
    transaction_uid TEXT NOT NULL,
    seq INTEGER NOT NULL,
    sop_class_uid TEXT NOT NULL,
    sop_instance_uid TEXT NOT NULL,
    form TEXT NOT NULL CHECK (form IN ('flat', 'study')),
    study_uid TEXT,
    series_uid TEXT,
    outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'committed', 'failed')),
    failure_reason INTEGER,
    detail TEXT,
    decided_at INTEGER,
    PRIMARY KEY (transaction_uid, seq)
  ) WITHOUT ROWID;

  CREATE TABLE remotes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('dicomweb', 'dimse')),
    config TEXT NOT NULL,
    secret TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    remote_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    form TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE outgoing (
    id INTEGER PRIMARY KEY,
    job_id INTEGER,
    remote_id INTEGER NOT NULL,
    remote_name TEXT NOT NULL,
    transaction_uid TEXT NOT NULL UNIQUE,
    previous_uids TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL,
    form TEXT NOT NULL CHECK (form IN ('flat', 'study')),
    study_uid TEXT,
    label TEXT,
    instance_count INTEGER NOT NULL,
    committed_count INTEGER NOT NULL DEFAULT 0,
    failed_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    working_since INTEGER,
    last_contact_at INTEGER,
    next_attempt_at INTEGER,
    completed_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    polls INTEGER NOT NULL DEFAULT 0,
    http_status INTEGER,
    error TEXT,
    raw_response TEXT
  );
  CREATE INDEX outgoing_state ON outgoing (state);
  CREATE INDEX outgoing_job ON outgoing (job_id);

  CREATE TABLE outgoing_instances (
    request_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    sop_class_uid TEXT NOT NULL,
    sop_instance_uid TEXT NOT NULL,
    study_uid TEXT,
    series_uid TEXT,
    file_path TEXT,
    outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'committed', 'failed')),
    failure_reason INTEGER,
    detail TEXT,
    updated_at INTEGER,
    PRIMARY KEY (request_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX outgoing_instances_sop ON outgoing_instances (sop_instance_uid);
  `,
  // 2: the DIMSE bridge: proxied requests (an outgoing request that answers an incoming one), and
  // N-EVENT-REPORTs for Transaction UIDs Safekeep does not know (kept, never dropped).
  `
  ALTER TABLE outgoing ADD COLUMN proxy_for TEXT;
  CREATE INDEX outgoing_proxy ON outgoing (proxy_for) WHERE proxy_for IS NOT NULL;

  CREATE TABLE dimse_unmatched_reports (
    id INTEGER PRIMARY KEY,
    transaction_uid TEXT NOT NULL,
    calling_ae TEXT NOT NULL,
    event_type INTEGER NOT NULL,
    committed_count INTEGER NOT NULL,
    failed_count INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    why TEXT NOT NULL,
    payload TEXT NOT NULL
  );
  `,
  // 3: library: second copies told apart (a byte-identical duplicate copy vs a conflict: a different file under
  // the same SOP Instance UID), with the content hash of compared files; a flag on indexed files (truncated
  // Pixel Data); the reader revision of each row (older rows are read again at the next scan, which also
  // compares the second copies that were all called conflicts so far).
  `
  ALTER TABLE library_files ADD COLUMN content_hash TEXT;
  ALTER TABLE library_files ADD COLUMN flag TEXT;
  ALTER TABLE library_files ADD COLUMN flag_message TEXT;
  ALTER TABLE library_files ADD COLUMN reader_rev INTEGER NOT NULL DEFAULT 0;
  UPDATE library_files SET reason = 'uid-conflict' WHERE status = 'conflict';
  `,
  // 4: browser sessions that survive a restart: only the SHA-256 of each session id is stored, with its expiry
  // and the access token it was opened with (revoking the token ends them).
  `
  CREATE TABLE browser_sessions (
    id_hash TEXT PRIMARY KEY,
    client TEXT NOT NULL,
    token_id INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX browser_sessions_expiry ON browser_sessions (expires_at);
  CREATE INDEX browser_sessions_token ON browser_sessions (token_id) WHERE token_id IS NOT NULL;
  `,
  // 5 (cli-errors): each remote's last Test, shown in the Remotes list and the Verify dialog.
  `
  ALTER TABLE remotes ADD COLUMN last_test_ok INTEGER;
  ALTER TABLE remotes ADD COLUMN last_test_message TEXT;
  ALTER TABLE remotes ADD COLUMN last_test_at INTEGER;
  `,
  // 6: the verdict: the latest outcome per (archive, instance) across every job, request, resend and retry,
  // kept in the same transaction as every outcome change (OutgoingRepo). Instances of outgoing requests also
  // keep what the library said of them when the request was planned: the file's size and mtime (to tell a
  // file changed since it was verified) and patient ID, accession number and study date (for reports).
  `
  ALTER TABLE outgoing_instances ADD COLUMN file_size INTEGER;
  ALTER TABLE outgoing_instances ADD COLUMN file_mtime_ms INTEGER;
  ALTER TABLE outgoing_instances ADD COLUMN patient_id TEXT;
  ALTER TABLE outgoing_instances ADD COLUMN accession_number TEXT;
  ALTER TABLE outgoing_instances ADD COLUMN study_date TEXT;
  -- A request that resends instances of an earlier one of its job: a job's report then takes each instance's latest row.
  ALTER TABLE outgoing ADD COLUMN follow_up_of INTEGER;
  UPDATE outgoing SET follow_up_of = (
    SELECT MIN(e.request_id) FROM outgoing_instances i
      JOIN outgoing_instances e ON e.sop_instance_uid = i.sop_instance_uid AND e.request_id < i.request_id
      JOIN outgoing er ON er.id = e.request_id AND er.job_id = outgoing.job_id
    WHERE i.request_id = outgoing.id)
  WHERE job_id IS NOT NULL;

  -- The library's patient data, and the file's size and mtime where its index entry is still the one the
  -- request was planned from (indexed before the request was created, same instance).
  UPDATE outgoing_instances SET
    patient_id = (SELECT l.patient_id FROM library_files l WHERE l.sop_instance_uid = outgoing_instances.sop_instance_uid AND l.status = 'indexed'),
    accession_number = (SELECT l.accession_number FROM library_files l WHERE l.sop_instance_uid = outgoing_instances.sop_instance_uid AND l.status = 'indexed'),
    study_date = (SELECT l.study_date FROM library_files l WHERE l.sop_instance_uid = outgoing_instances.sop_instance_uid AND l.status = 'indexed'),
    file_size = (SELECT l.size FROM library_files l JOIN outgoing r ON r.id = outgoing_instances.request_id
      WHERE l.path = outgoing_instances.file_path AND l.sop_instance_uid = outgoing_instances.sop_instance_uid AND l.indexed_at <= r.created_at),
    file_mtime_ms = (SELECT l.mtime_ms FROM library_files l JOIN outgoing r ON r.id = outgoing_instances.request_id
      WHERE l.path = outgoing_instances.file_path AND l.sop_instance_uid = outgoing_instances.sop_instance_uid AND l.indexed_at <= r.created_at)
  WHERE file_path IS NOT NULL;

  -- A cancelled request no longer leaves instances pending: they were never verified.
  UPDATE outgoing_instances SET outcome = 'failed', failure_reason = NULL,
    detail = 'Cancelled before the archive answered: not verified',
    updated_at = (SELECT COALESCE(r.completed_at, r.created_at) FROM outgoing r WHERE r.id = outgoing_instances.request_id)
  WHERE outcome = 'pending' AND request_id IN (SELECT id FROM outgoing WHERE state = 'cancelled');
  UPDATE outgoing SET failed_count = (SELECT COUNT(*) FROM outgoing_instances i WHERE i.request_id = outgoing.id AND i.outcome = 'failed')
  WHERE state = 'cancelled';

  CREATE TABLE verdicts (
    id INTEGER PRIMARY KEY,
    remote_id INTEGER NOT NULL,
    sop_instance_uid TEXT NOT NULL,
    sop_class_uid TEXT NOT NULL,
    study_uid TEXT NOT NULL,
    series_uid TEXT NOT NULL,
    file_path TEXT,
    file_size INTEGER,
    file_mtime_ms INTEGER,
    patient_id TEXT,
    accession_number TEXT,
    study_date TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'committed', 'failed')),
    failure_reason INTEGER,
    detail TEXT,
    transaction_uid TEXT NOT NULL,
    request_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    job_id INTEGER,
    decided_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  -- The key. (A rowid table: its rows are appended; a table keyed by random UIDs takes 3-4 times longer to write.)
  CREATE UNIQUE INDEX verdicts_key ON verdicts (remote_id, sop_instance_uid);
  -- Per-archive reports (totals, per study, the CSV in study order) read this index alone.
  CREATE INDEX verdicts_report ON verdicts (remote_id, study_uid, series_uid, sop_instance_uid, outcome);
  -- The failed ones, for failure reasons and lists (few rows: cheap to keep).
  CREATE INDEX verdicts_failed ON verdicts (remote_id) WHERE outcome = 'failed';

  -- The latest event per (archive, instance) of every job's requests (proxied requests are not verdicts:
  -- they answer another system's request).
  INSERT INTO verdicts (remote_id, sop_instance_uid, sop_class_uid, study_uid, series_uid, file_path, file_size, file_mtime_ms,
    patient_id, accession_number, study_date, outcome, failure_reason, detail, transaction_uid, request_id, seq, job_id, decided_at, updated_at)
  SELECT remote_id, sop_instance_uid, sop_class_uid, study_uid, series_uid, file_path, file_size, file_mtime_ms,
    patient_id, accession_number, study_date, outcome, failure_reason, detail, transaction_uid, request_id, seq, job_id, decided_at, at
  FROM (
    SELECT r.remote_id, i.sop_instance_uid, i.sop_class_uid, COALESCE(i.study_uid, '') AS study_uid, COALESCE(i.series_uid, '') AS series_uid,
      i.file_path, i.file_size, i.file_mtime_ms, i.patient_id, i.accession_number, i.study_date, i.outcome, i.failure_reason, i.detail,
      r.transaction_uid, i.request_id, i.seq, r.job_id,
      CASE WHEN i.outcome = 'pending' THEN NULL ELSE COALESCE(i.updated_at, r.completed_at, r.created_at) END AS decided_at,
      COALESCE(i.updated_at, r.created_at) AS at,
      ROW_NUMBER() OVER (PARTITION BY r.remote_id, i.sop_instance_uid ORDER BY COALESCE(i.updated_at, r.created_at) DESC, i.request_id DESC) AS n
    FROM outgoing_instances i JOIN outgoing r ON r.id = i.request_id
    WHERE r.job_id IS NOT NULL
  ) WHERE n = 1;
  `,
  // 7 (arch-flow): an outgoing request's protocol and the archive's last status, instead of a DIMSE status kept
  // as an "HTTP status". The protocol is its remote's kind; for a request whose remote is gone, its words tell
  // (or its status 0, which no HTTP answer has). The status moves as it is: its protocol now says what it means.
  `
  ALTER TABLE outgoing ADD COLUMN protocol TEXT NOT NULL DEFAULT 'dicomweb' CHECK (protocol IN ('dicomweb', 'dimse'));
  ALTER TABLE outgoing ADD COLUMN status INTEGER;
  UPDATE outgoing SET protocol = 'dimse'
  WHERE remote_id IN (SELECT id FROM remotes WHERE kind = 'dimse')
    OR (remote_id NOT IN (SELECT id FROM remotes)
      AND (http_status = 0 OR error LIKE '%N-ACTION%' OR error LIKE '%N-EVENT-REPORT%' OR error LIKE '%association%'));
  UPDATE outgoing SET status = http_status;
  ALTER TABLE outgoing DROP COLUMN http_status;
  `,
  // 8 (finish, issue 11): "send missing": each run of rounds, and every store outcome (C-STORE, STOW-RS) per
  // instance and archive, kept as history beside the verdicts. Statuses in words (text) with their code.
  `
  CREATE TABLE resend_runs (
    id INTEGER PRIMARY KEY,
    remote_id INTEGER NOT NULL,
    protocol TEXT NOT NULL CHECK (protocol IN ('dimse', 'dicomweb')),
    rounds INTEGER NOT NULL,
    selected INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    end_state TEXT
  );

  CREATE TABLE store_outcomes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    round INTEGER NOT NULL,
    remote_id INTEGER NOT NULL,
    sop_instance_uid TEXT NOT NULL,
    study_uid TEXT NOT NULL,
    file_path TEXT NOT NULL,
    protocol TEXT NOT NULL CHECK (protocol IN ('dimse', 'dicomweb')),
    status TEXT NOT NULL CHECK (status IN ('stored', 'failed', 'refused', 'unconfirmed', 'not-sent', 'file-changed')),
    code INTEGER,
    text TEXT NOT NULL,
    retry INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX store_outcomes_instance ON store_outcomes (remote_id, sop_instance_uid, id);
  CREATE INDEX store_outcomes_run ON store_outcomes (run_id, round);
  `,
  // 9 (content, issue 11 §3): "compare content": each run (how, from where, which share) and every instance's
  // content check (same, transcoded, differs with the first differing attribute, not retrievable, local changed).
  `
  CREATE TABLE content_runs (
    id INTEGER PRIMARY KEY,
    remote_id INTEGER NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('C-GET', 'WADO-RS')),
    source TEXT NOT NULL,
    sample TEXT NOT NULL,
    committed INTEGER NOT NULL,
    checked INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    end_state TEXT
  );
  CREATE INDEX content_runs_remote ON content_runs (remote_id, id);

  CREATE TABLE content_checks (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    remote_id INTEGER NOT NULL,
    sop_instance_uid TEXT NOT NULL,
    study_uid TEXT NOT NULL,
    series_uid TEXT NOT NULL,
    file_path TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('same', 'transcoded', 'differs', 'not-retrievable', 'local-changed')),
    attribute TEXT,
    text TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX content_checks_run ON content_checks (run_id, outcome);
  CREATE INDEX content_checks_instance ON content_checks (remote_id, sop_instance_uid, id);
  `,
  // 10 (nodes, issue 13): several Safekeep nodes on one store. The node registry (a heartbeat per node), and a
  // lease on every piece of work one node must do alone: an outgoing request (sent and polled by its lease
  // holder only), the deciding of an incoming transaction, and the N-EVENT-REPORT of an incoming DIMSE
  // transaction (each by its lease holder only). A node that cannot read some files of an incoming transaction
  // hands it over to a node that has not tried it yet (tried_nodes, handed_at).
  `
  CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    addresses TEXT NOT NULL DEFAULT '[]'
  );
  ALTER TABLE outgoing ADD COLUMN lease_owner TEXT;
  ALTER TABLE outgoing ADD COLUMN lease_until INTEGER;
  CREATE INDEX outgoing_lease ON outgoing (lease_owner) WHERE lease_owner IS NOT NULL;
  ALTER TABLE incoming ADD COLUMN lease_owner TEXT;
  ALTER TABLE incoming ADD COLUMN lease_until INTEGER;
  ALTER TABLE incoming ADD COLUMN report_lease_owner TEXT;
  ALTER TABLE incoming ADD COLUMN report_lease_until INTEGER;
  ALTER TABLE incoming ADD COLUMN tried_nodes TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE incoming ADD COLUMN handed_at INTEGER;
  `,
  // 11 (issue 13): the library is per node. Each node indexes the folders it sees; shared storage mounted on
  // several nodes is indexed once per path and node. The rows kept so far belong to '' until the first node that
  // opens the store takes them (adoptLibrary: the node that indexed them). The primary keys change, so both
  // tables are rebuilt (SQLite cannot alter a primary key).
  `
  CREATE TABLE library_roots_by_node (
    node_id TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    last_scan_at INTEGER,
    PRIMARY KEY (node_id, path)
  );
  INSERT INTO library_roots_by_node (node_id, path, added_at, last_scan_at) SELECT '', path, added_at, last_scan_at FROM library_roots;
  DROP TABLE library_roots;
  ALTER TABLE library_roots_by_node RENAME TO library_roots;

  CREATE TABLE library_files_by_node (
    node_id TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL,
    root TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('indexed', 'skipped', 'conflict')),
    reason TEXT,
    message TEXT,
    sop_instance_uid TEXT,
    sop_class_uid TEXT,
    study_uid TEXT,
    series_uid TEXT,
    transfer_syntax_uid TEXT,
    patient_name TEXT,
    patient_id TEXT,
    study_date TEXT,
    study_description TEXT,
    accession_number TEXT,
    modality TEXT,
    series_number INTEGER,
    series_description TEXT,
    instance_number INTEGER,
    indexed_at INTEGER NOT NULL,
    content_hash TEXT,
    flag TEXT,
    flag_message TEXT,
    reader_rev INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (node_id, path)
  );
  INSERT INTO library_files_by_node SELECT '', path, root, size, mtime_ms, status, reason, message, sop_instance_uid, sop_class_uid,
    study_uid, series_uid, transfer_syntax_uid, patient_name, patient_id, study_date, study_description, accession_number, modality,
    series_number, series_description, instance_number, indexed_at, content_hash, flag, flag_message, reader_rev FROM library_files;
  DROP TABLE library_files;
  ALTER TABLE library_files_by_node RENAME TO library_files;
  CREATE UNIQUE INDEX library_files_sop ON library_files (node_id, sop_instance_uid) WHERE status = 'indexed';
  CREATE INDEX library_files_series ON library_files (node_id, study_uid, series_uid) WHERE status = 'indexed';
  CREATE INDEX library_files_root ON library_files (node_id, root);
  CREATE INDEX library_files_conflict ON library_files (node_id, sop_instance_uid) WHERE status = 'conflict';
  CREATE INDEX library_files_any_node ON library_files (sop_instance_uid) WHERE status = 'indexed';
  `,
];
