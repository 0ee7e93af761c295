import { useNavigation } from '../../state/navigation';
import { EmptyState } from '../../ui/EmptyState';
import { NodesStrip } from '../nodes/NodesStrip';
import { OutgoingTotals } from './OutgoingTotals';
import { RequestDetail } from './RequestDetail';
import { RequestList } from './RequestList';

/** Outgoing: every commitment request this workstation sent, live. */
export function OutgoingScreen() {
  const requestId = useNavigation((s) => s.route.requestId ?? null);
  const go = useNavigation((s) => s.go);
  return (
    <div className="screen split-screen">
      <NodesStrip />
      <OutgoingTotals />
      <RequestList selectedId={requestId} onSelect={(id) => go({ screen: 'outgoing', requestId: id })} />
      {requestId !== null ? (
        <RequestDetail key={requestId} id={requestId} />
      ) : (
        <div className="detail-pane">
          <EmptyState title="No request selected">Choose a request above to see its instances and actions.</EmptyState>
        </div>
      )}
    </div>
  );
}
