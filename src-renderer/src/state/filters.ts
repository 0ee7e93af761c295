import { create } from 'zustand';
import type { InstanceOutcome } from '../../../src-shared/transactions';
import type { OutgoingState } from '../../../src-shared/outgoing';
import type { IncomingSource, IncomingState } from '../../../src-shared/transactions';

/** Filters of the tables: kept while the user moves between screens. */
interface FiltersState {
  librarySearch: string;
  outgoingState: OutgoingState | '';
  outgoingOutcome: InstanceOutcome | '';
  /** A Failure Reason code, or null for any. */
  outgoingReason: number | null;
  incomingState: IncomingState | '';
  incomingSource: IncomingSource | '';
  incomingOutcome: InstanceOutcome | '';
  set(patch: Partial<Omit<FiltersState, 'set'>>): void;
}

export const useFilters = create<FiltersState>((set) => ({
  librarySearch: '',
  outgoingState: '',
  outgoingOutcome: '',
  outgoingReason: null,
  incomingState: '',
  incomingSource: '',
  incomingOutcome: '',
  set: (patch) => set(patch),
}));
