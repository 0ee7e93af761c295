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
