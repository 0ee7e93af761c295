import { useApiQuery } from '../../data/api-hooks';

/**
 * With several Safekeep nodes on one store the library is per node: each indexes the folders it sees. Says whose
 * library this is, so that a folder scanned on another workstation is not looked for here. Nothing on a single node.
 */
export function LibraryNodeNote() {
  const { data } = useApiQuery('nodes-list', {});
  if (!data || data.nodes.length < 2) return null;
  const others = data.nodes.length - 1;
  return (
    <span className="muted" data-testid="library-node-note">
      {' '}
      · the library of this node, {data.self} ({others === 1 ? 'the other node indexes its own folders' : `the ${others} other nodes index their own folders`})
    </span>
  );
}
