import { Hono } from 'hono';
import type { NodeRuntime } from './node-runtime';

/** Where a load balancer asks whether this node can work (no authentication: it tells nothing stored). */
export const HEALTH_PATH = '/healthz';

/**
 * 200 {node} when this node reaches its store (one read of the node registry), else 503: a balancer in front of
 * several nodes sends nothing to a node that lost its database.
 */
export function healthRoute(node: Pick<NodeRuntime, 'id' | 'list'>): Hono {
  const app = new Hono();
  app.get(HEALTH_PATH, async (c) => {
    try {
      await node.list();
      return c.json({ status: 'ok', node: node.id });
    } catch {
      return c.json({ status: 'store unavailable', node: node.id }, 503);
    }
  });
  return app;
}
