/**
 * The PostgreSQL twin of SQLite migration 10 (nodes, issue 13): the node registry and the leases on work
 * (outgoing requests, deciding incoming transactions, delivering their N-EVENT-REPORT). Appended to
 * PG_MIGRATIONS (migrations.ts).
 */
const T = 'TEXT COLLATE "C"';

export const PG_NODES_MIGRATION = `
  CREATE TABLE nodes (
    id ${T} PRIMARY KEY,
    name ${T} NOT NULL,
    version ${T} NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    addresses ${T} NOT NULL DEFAULT '[]'
  );
  ALTER TABLE outgoing ADD COLUMN lease_owner ${T}, ADD COLUMN lease_until BIGINT;
  CREATE INDEX outgoing_lease ON outgoing (lease_owner) WHERE lease_owner IS NOT NULL;
  ALTER TABLE incoming ADD COLUMN lease_owner ${T}, ADD COLUMN lease_until BIGINT,
    ADD COLUMN report_lease_owner ${T}, ADD COLUMN report_lease_until BIGINT,
    ADD COLUMN tried_nodes ${T} NOT NULL DEFAULT '[]', ADD COLUMN handed_at BIGINT;
`;

/**
 * The PostgreSQL twin of SQLite migration 11: the library per node (rows kept so far belong to '' until a node
 * adopts them; store/library-node.ts).
 */
export const PG_LIBRARY_PER_NODE_MIGRATION = `
  ALTER TABLE library_roots ADD COLUMN node_id ${T} NOT NULL DEFAULT '';
  ALTER TABLE library_roots DROP CONSTRAINT library_roots_pkey, ADD PRIMARY KEY (node_id, path);
  ALTER TABLE library_files ADD COLUMN node_id ${T} NOT NULL DEFAULT '';
  ALTER TABLE library_files DROP CONSTRAINT library_files_pkey, ADD PRIMARY KEY (node_id, path);
  DROP INDEX library_files_sop;
  DROP INDEX library_files_series;
  DROP INDEX library_files_root;
  DROP INDEX library_files_conflict;
  CREATE UNIQUE INDEX library_files_sop ON library_files (node_id, sop_instance_uid) WHERE status = 'indexed';
  CREATE INDEX library_files_series ON library_files (node_id, study_uid, series_uid) WHERE status = 'indexed';
  CREATE INDEX library_files_root ON library_files (node_id, root);
  CREATE INDEX library_files_conflict ON library_files (node_id, sop_instance_uid) WHERE status = 'conflict';
  CREATE INDEX library_files_any_node ON library_files (sop_instance_uid) WHERE status = 'indexed';
`;
