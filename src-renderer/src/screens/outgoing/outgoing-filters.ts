import type { OutgoingState } from '../../../../src-shared/outgoing';
import type { InstanceOutcome } from '../../../../src-shared/transactions';
import { filterStore } from '../../state/filter-store';

/** The filters of the Outgoing screen: requests by state, a request's instances by outcome and Failure Reason. */
export const useOutgoingFilters = filterStore({
  state: '' as OutgoingState | '',
  outcome: '' as InstanceOutcome | '',
  /** A Failure Reason code, or null for any. */
  reason: null as number | null,
});
