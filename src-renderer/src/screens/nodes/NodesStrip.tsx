import { useApiQuery } from '../../data/api-hooks';
import { Age } from '../../ui/Age';

/**
 * The Safekeep nodes sharing this store (several nodes on one PostgreSQL): which are alive, and how many
 * outgoing requests each works on now. Shown only when there is more than one node.
 */
export function NodesStrip() {
  const { data } = useApiQuery('nodes-list', {});
  if (!data || data.nodes.length < 2) return null;
  return (
    <section className="nodes-strip" aria-label="Safekeep nodes" data-testid="nodes-strip">
      <dl className="inline-facts">
        {data.nodes.map((n) => (
          <div key={n.id} className={n.alive ? 'tone-ok' : 'tone-bad'} title={n.addresses.join(', ')}>
            <dt>
              <span aria-hidden="true">{n.alive ? '● ' : '○ '}</span>
              {n.id}
              {n.id === data.self ? ' (this node)' : ''}
            </dt>
            <dd>
              {n.alive ? `${n.requests} request(s)` : 'silent'} · heartbeat <Age at={n.heartbeatAt} />
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
