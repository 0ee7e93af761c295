import type { LibraryService } from '../../services/library';
import type { DomainHandlers } from './types';

export function libraryHandlers(library: LibraryService): DomainHandlers<'library-'> {
  const { read } = library;
  return {
    'library-summary': async () => ({ ...(await read.summary()), roots: await read.roots() }),
    'library-scan-state': () => library.currentScan(),
    'library-add-folders': ({ paths }) => library.startScan(paths),
    'library-scan': ({ paths }) => library.scanAndCount(paths),
    'library-rescan': async () => library.startScan((await read.roots()).map((r) => r.path)),
    'library-cancel-scan': () => ({ cancelled: library.cancelScan() }),
    'library-remove-root': ({ path }) => library.removeRoot(path),
    'library-studies': (a) => read.studies(a),
    'library-series': ({ studyUid }) => read.series(studyUid),
    'library-instances': ({ seriesUid, limit, offset }) => read.instancesOfSeries(seriesUid, { limit, offset }),
    'library-problems': async ({ limit, offset }) => ({ rows: await read.problems({ limit, offset }), total: await read.problemCount() }),
    'library-count-selection': async ({ selection }) => ({ instances: await read.countSelection(selection) }),
  };
}
