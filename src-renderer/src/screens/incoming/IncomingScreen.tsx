import { useNavigation } from '../../state/navigation';
import { EmptyState } from '../../ui/EmptyState';
import { NodesStrip } from '../nodes/NodesStrip';
import { TransactionDetail } from './TransactionDetail';
import { TransactionList } from './TransactionList';

/** Incoming: the commitment requests other systems sent to this workstation (DICOMweb and DIMSE), live. */
export function IncomingScreen() {
  const uid = useNavigation((s) => s.route.transactionUid ?? null);
  const go = useNavigation((s) => s.go);
  return (
    <div className="screen split-screen">
      <NodesStrip />
      <TransactionList selectedUid={uid} onSelect={(u) => go({ screen: 'incoming', transactionUid: u })} />
      {uid ? (
        <TransactionDetail key={uid} uid={uid} />
      ) : (
        <div className="detail-pane">
          <EmptyState title="No transaction selected">Choose a transaction above to see the outcome of each instance.</EmptyState>
        </div>
      )}
    </div>
  );
}
