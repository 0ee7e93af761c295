import { create, type StoreApi, type UseBoundStore } from 'zustand';

export type FilterStore<T extends object> = UseBoundStore<StoreApi<T & { set(patch: Partial<T>): void }>>;

const stores: { reset(): void }[] = [];

/**
 * The filters of one screen's tables, kept while the user moves between screens (a module
 * singleton, like the other zustand stores). Each screen declares its own next to it.
 */
export function filterStore<T extends object>(initial: T): FilterStore<T> {
  const store = create<T & { set(patch: Partial<T>): void }>()((set) => ({ ...initial, set: (patch) => set(patch as never) }));
  stores.push({ reset: () => store.setState(store.getInitialState(), true) });
  return store;
}

/** Every screen's filters back to their start (tests start each case from scratch). */
export function resetFilters(): void {
  stores.forEach((s) => s.reset());
}
