import { ACTIVE_STATES } from '../../../src-shared/outgoing';

/** SQL shared by the SQLite and PostgreSQL leases (store/node-repo.ts, store/pg/nodes.ts). */

/** The outgoing states in which a request is worked on (and its lease matters). */
export const ACTIVE_SQL = ACTIVE_STATES.map((s) => `'${s}'`).join(', ');
/** A lease the claimer (first ?) may take at time now (second ?): nobody holds it, the claimer does, or its holder let it run out. */
export const LEASE_FREE = `(lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)`;
/** The same for the delivery of an incoming transaction's N-EVENT-REPORT. */
export const REPORT_LEASE_FREE = `(report_lease_owner IS NULL OR report_lease_owner = ? OR report_lease_until < ?)`;
/** Incoming transactions whose report still has to go out. */
export const REPORT_DUE = `source = 'dimse' AND state = 'done' AND report_state IN ('pending', 'retrying')`;
/** A row of NODES_LIST. */
export type NodeRow = { id: string; name: string; version: string; startedAt: number; heartbeatAt: number; addresses: string; requests: number };

/** Every node with its heartbeat and the requests it holds (`addresses` as stored: JSON text). */
export const NODES_LIST = `SELECT id, name, version, started_at AS "startedAt", heartbeat_at AS "heartbeatAt", addresses,
    (SELECT COUNT(*) FROM outgoing WHERE lease_owner = nodes.id AND state IN (${ACTIVE_SQL})) AS requests
  FROM nodes ORDER BY id`;
/** Registers a node, or registers it again after a restart. */
export const NODE_REGISTER = `INSERT INTO nodes (id, name, version, started_at, heartbeat_at, addresses) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET name = excluded.name, version = excluded.version, started_at = excluded.started_at,
    heartbeat_at = excluded.heartbeat_at, addresses = excluded.addresses`;
