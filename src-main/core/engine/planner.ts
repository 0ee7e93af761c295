import type { RequestForm } from '../../../src-shared/commitment/model';
import type { IndexedFile } from '../library/model/files';
import type { PlannedRequest } from './model/outgoing';
import { newTransactionUid } from './transaction-uid';

export interface PlanOptions {
  form: RequestForm;
  maxInstancesPerRequest: number;
  /** Names a study in labels, e.g. "DOE^JANE 20260101 CT CHEST". */
  describeStudy?: (studyUid: string) => string | null;
}

/**
 * Splits a selection into requests. Study form: one request per study (its series
 * kept together, in order), split further when a study has more instances than
 * the remote takes at once. Flat form: the whole selection in order, split by size.
 * Each request gets its own fresh Transaction UID.
 */
export function planRequests(files: readonly IndexedFile[], o: PlanOptions): PlannedRequest[] {
  const max = Math.max(1, o.maxInstancesPerRequest);
  const sorted = [...files].sort(
    (a, b) => cmp(a.studyUid, b.studyUid) || cmp(a.seriesUid, b.seriesUid) || cmp(a.path, b.path),
  );
  const groups: { studyUid: string | null; files: IndexedFile[] }[] = [];
  if (o.form === 'study') {
    for (const f of sorted) {
      const last = groups.at(-1);
      if (last && last.studyUid === f.studyUid) last.files.push(f);
      else groups.push({ studyUid: f.studyUid, files: [f] });
    }
  } else if (sorted.length > 0) {
    groups.push({ studyUid: null, files: sorted });
  }
  const out: PlannedRequest[] = [];
  for (const g of groups) {
    const parts = Math.ceil(g.files.length / max);
    for (let p = 0; p < parts; p++) {
      const slice = g.files.slice(p * max, (p + 1) * max);
      const name = g.studyUid ? (o.describeStudy?.(g.studyUid) ?? `Study ${g.studyUid}`) : `${slice.length} instances`;
      out.push({
        transactionUid: newTransactionUid(),
        form: o.form,
        studyUid: g.studyUid,
        label: parts > 1 ? `${name} (part ${p + 1} of ${parts})` : name,
        instances: slice.map((f) => ({
          sopClassUid: f.sopClassUid,
          sopInstanceUid: f.sopInstanceUid,
          studyUid: f.studyUid,
          seriesUid: f.seriesUid,
          filePath: f.path,
          fileSize: f.size,
          fileMtimeMs: f.mtimeMs,
          patientId: f.patientId,
          accessionNumber: f.accessionNumber,
          studyDate: f.studyDate,
        })),
      });
    }
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
