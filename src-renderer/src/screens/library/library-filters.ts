import { filterStore } from '../../state/filter-store';

/** The filter of the Library screen: the studies' search text. */
export const useLibraryFilters = filterStore({ search: '' });
