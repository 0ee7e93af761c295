import type { IncomingSource, IncomingState, InstanceOutcome } from '../../../../src-shared/transactions';
import { filterStore } from '../../state/filter-store';

/** The filters of the Incoming screen: transactions by state and protocol, a transaction's instances by outcome. */
export const useIncomingFilters = filterStore({
  state: '' as IncomingState | '',
  source: '' as IncomingSource | '',
  outcome: '' as InstanceOutcome | '',
});
