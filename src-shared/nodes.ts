/**
 * Several Safekeep nodes on one store (issue 13): each data folder is one node, known by a stable id; every
 * node writes a heartbeat to the shared registry, and work (outgoing requests, report deliveries) is claimed
 * by one node at a time with a lease.
 */
export interface NodeInfo {
  /** Stable per data folder: host name and a short random part (the `node-id` file in the data folder). */
  id: string;
  /** The host name it runs on. */
  name: string;
  startedAt: number;
  heartbeatAt: number;
  /** Where it listens (HTTP URL, DICOM AE@host:port), as the node itself announced it. */
  addresses: string[];
  version: string;
  /** Its heartbeat is younger than its lease: it holds its work. */
  alive: boolean;
  /** Outgoing requests whose lease it holds now. */
  requests: number;
}

/** How long a claim holds without a heartbeat, and how often a node renews it (serve --lease-seconds). */
export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_HEARTBEAT_MS = 10_000;

/** The heartbeat that goes with a lease: a third of it, so that two heartbeats may be lost before it expires. */
export function heartbeatFor(leaseMs: number): number {
  return Math.max(50, Math.floor(leaseMs / 3));
}

/** What a node id may be made of (the `node-id` file; store/library-node.ts writes it into SQL as a literal). */
export const NODE_ID_PATTERN = /^[A-Za-z0-9._-]{1,80}$/;
