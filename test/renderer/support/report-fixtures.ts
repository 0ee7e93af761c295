import type { ArchiveRef, ReportSummary } from '../../../src-shared/report';
import { FakeApi } from './fake-api';

/** One DIMSE archive with 4 verdicts, and the Report screen's summary of it. */
export const ARCHIVE: ArchiveRef = { remoteId: 1, name: 'PACS', kind: 'dimse', address: 'PACS@pacs.local:104', verdicts: 4 };

export function archiveSummary(over: Partial<ReportSummary> = {}): ReportSummary {
  return {
    generatedAt: 0,
    view: 'archive',
    archives: [ARCHIVE],
    job: null,
    requests: 1,
    studies: 2,
    totals: { instances: 4, committed: 2, failed: 2, pending: 0, neverAsked: 0 },
    failureReasons: [],
    failed: [],
    operator: 'jdoe',
    version: '0.1.0',
    ...over,
  };
}

/** A study row of the report (2 instances). */
export const studyRow = (k: number, committed = 1) => ({ studyUid: `1.2.3.${k}`, patientId: `PID${k}`, accessionNumber: null, studyDate: null, instances: 2, committed, failed: 2 - committed, pending: 0 });

/** A fake API serving the Report screen of ARCHIVE with these studies. */
export function reportApi(summary: ReportSummary, rows: ReturnType<typeof studyRow>[]): FakeApi {
  return new FakeApi()
    .on('report-archives', () => [ARCHIVE])
    .on('report-summary', () => summary)
    .on('report-studies', () => ({ rows, total: rows.length }));
}
