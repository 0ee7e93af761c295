import type { ReportsService } from '../../services/reports';
import type { DomainHandlers } from './types';

export function reportHandlers(reports: ReportsService): DomainHandlers<'report-'> {
  return {
    'report-archives': () => reports.archives(),
    'report-find-archive': ({ text }) => reports.findArchive(text),
    'report-summary': (scope) => reports.summary(scope),
    'report-studies': ({ limit, offset, ...scope }) => reports.studies(scope, { limit, offset }),
    'report-failure-reasons': (scope) => reports.failureReasons(scope),
    'report-csv': (scope) => reports.csv(scope),
    'report-csv-file': ({ path, ...scope }) => reports.csvFile(scope, path),
    'report-safe-to-delete': ({ remoteId }) => reports.safeToDelete(remoteId),
    'report-safe-to-delete-file': ({ remoteId, path }) => reports.safeToDeleteFile(remoteId, path),
    'report-timeline': ({ jobId, buckets }) => reports.timeline(jobId, buckets),
    'report-instance': ({ sopInstanceUid }) => reports.instance(sopInstanceUid),
  };
}
