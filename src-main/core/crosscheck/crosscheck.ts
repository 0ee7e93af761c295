/**
 * Cross-check (issue 11 §2): each local study beside the archive's own listing of it and beside the
 * commitment verdicts. Names every local instance the archive does not list, and every disagreement
 * with the verdicts: "committed but not listed", "listed but not committed".
 */
import type { CrossCheckInstance, CrossCheckProgress, CrossCheckResult, CrossCheckStudy, CrossCheckTotals } from '../../../src-shared/crosscheck';
import type { Selection } from '../../../src-shared/outgoing';
import { AppError } from '../../../src-shared/contract/errors';
import type { Clock } from '../scheduler';
import type { LibraryStore, ResendStore } from '../store/ports';
import type { IndexedFile } from '../library/model/files';
import type { RemoteWithSecret } from '../remotes/model/remote';
import type { Lister } from './listing';

export interface CrossCheckDeps {
  library: Pick<LibraryStore, 'select'>;
  verdicts: Pick<ResendStore, 'verdictsOf'>;
  clock: Clock;
  listerFor: (remote: RemoteWithSecret) => Lister;
}

export interface CrossCheckOptions {
  remote: RemoteWithSecret;
  selection: Selection;
  /** Studies asked at once (default 2). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: CrossCheckProgress) => void;
}

function byStudy(files: readonly IndexedFile[]): Map<string, IndexedFile[]> {
  const out = new Map<string, IndexedFile[]>();
  for (const f of files) {
    const list = out.get(f.studyUid);
    if (list) list.push(f);
    else out.set(f.studyUid, [f]);
  }
  return out;
}

/** One study: the local instances against the listing and their verdicts. */
export function compareStudy(
  local: readonly IndexedFile[],
  listed: readonly { sopInstanceUid: string }[],
  verdictOf: (uid: string) => CrossCheckInstance['verdict'],
): Omit<CrossCheckStudy, 'error'> {
  const listedUids = new Set(listed.map((l) => l.sopInstanceUid));
  const localUids = new Set(local.map((f) => f.sopInstanceUid));
  const first = local[0]!;
  const study: Omit<CrossCheckStudy, 'error'> = {
    studyUid: first.studyUid,
    patientId: first.patientId,
    accessionNumber: first.accessionNumber,
    studyDate: first.studyDate,
    local: local.length,
    listed: 0,
    archiveOnly: [...listedUids].filter((u) => !localUids.has(u)).length,
    committed: 0,
    notListed: [],
    committedNotListed: [],
    listedNotCommitted: [],
  };
  const ordered = [...local].sort((a, b) => (a.seriesUid + a.path < b.seriesUid + b.path ? -1 : 1));
  for (const f of ordered) {
    const inst: CrossCheckInstance = { sopInstanceUid: f.sopInstanceUid, seriesUid: f.seriesUid, filePath: f.path, verdict: verdictOf(f.sopInstanceUid) };
    const isListed = listedUids.has(f.sopInstanceUid);
    if (inst.verdict === 'committed') study.committed++;
    if (isListed) {
      study.listed++;
      if (inst.verdict !== 'committed') study.listedNotCommitted.push(inst);
    } else {
      study.notListed.push(inst);
      if (inst.verdict === 'committed') study.committedNotListed.push(inst);
    }
  }
  return study;
}

function totalsOf(studies: readonly CrossCheckStudy[]): CrossCheckTotals {
  const t: CrossCheckTotals = { studies: studies.length, local: 0, listed: 0, notListed: 0, committedNotListed: 0, listedNotCommitted: 0, errors: 0 };
  for (const s of studies) {
    t.local += s.local;
    t.listed += s.listed;
    t.notListed += s.notListed.length;
    t.committedNotListed += s.committedNotListed.length;
    t.listedNotCommitted += s.listedNotCommitted.length;
    if (s.error !== null) t.errors++;
  }
  return t;
}

export async function crossCheck(deps: CrossCheckDeps, o: CrossCheckOptions): Promise<CrossCheckResult> {
  const files = await deps.library.select(o.selection);
  if (files.length === 0) throw new AppError('bad-request', 'The selection holds no indexed instance');
  const verdicts = await deps.verdicts.verdictsOf(o.remote.id, files.map((f) => f.sopInstanceUid));
  const verdictOf = (uid: string) => verdicts.get(uid)?.outcome ?? null;
  const studies = [...byStudy(files)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lister = deps.listerFor(o.remote);
  const results: CrossCheckStudy[] = new Array(studies.length);
  let next = 0;
  let done = 0;
  let notListed = 0;
  const worker = async () => {
    while (next < studies.length && !o.signal?.aborted) {
      const k = next++;
      const [studyUid, local] = studies[k]!;
      try {
        const listed = await lister.studyInstances(studyUid, o.signal);
        results[k] = { ...compareStudy(local, listed, verdictOf), error: null };
      } catch (e) {
        // Nothing is known of this study: every local instance counts as not listed.
        const study = compareStudy(local, [], verdictOf);
        results[k] = { ...study, notListed: [], committedNotListed: [], error: (e as Error).message };
      }
      done++;
      notListed += results[k]!.notListed.length;
      o.onProgress?.({ done, total: studies.length, notListed });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 2, 8)) }, worker));
  } finally {
    await lister.close();
  }
  if (o.signal?.aborted) throw new AppError('cancelled', 'The cross-check was stopped');
  const totals = totalsOf(results);
  return {
    remoteId: o.remote.id,
    remoteName: o.remote.name,
    via: lister.via,
    source: lister.source,
    checkedAt: deps.clock.now(),
    studies: results,
    totals,
    allListed: totals.errors === 0 && totals.notListed === 0,
  };
}
