/**
 * "Compare content" (issue 11 §3): the committed instances of a selection (all, or a random share with at
 * least one per series) are retrieved from the archive and compared with the local files; every outcome is
 * kept per instance, and one that differs fails its verdict ("content differs: <first attribute>") in the
 * same store transaction. An instance failed for its content is checked again, and restored when the
 * archive's copy is now the same.
 */
import { failedForContent, NO_CONTENT_COUNTS, type ContentCheckRecord, type ContentProgress, type ContentSample, type ContentSummary } from '../../../src-shared/content';
import type { Selection } from '../../../src-shared/outgoing';
import type { IndexedFile } from '../library/model/files';
import type { RemoteWithSecret } from '../remotes/model/remote';
import { ratesOf } from '../resend/throughput';
import type { Clock } from '../scheduler';
import type { ContentStore, LibraryStore, ResendStore, VerdictBrief } from '../store/ports';
import { checkCopy } from './check';
import type { Retriever } from './retrievers';
import { chooseSample } from './sample';

export interface VerifyContentDeps {
  store: ContentStore;
  verdicts: Pick<ResendStore, 'verdictsOf'>;
  library: Pick<LibraryStore, 'select'>;
  clock: Clock;
  retrieverFor: (remote: RemoteWithSecret) => Retriever;
  /** [0, 1), for the sample (tests pass a seeded one). */
  random?: () => number;
}

export interface VerifyContentOptions {
  remote: RemoteWithSecret;
  selection: Selection;
  sample: ContentSample;
  signal?: AbortSignal;
  onProgress?: (p: ContentProgress) => void;
}

/** Outcomes are written in batches of this many (each batch one transaction with its verdicts). */
const BATCH = 16;

/** Committed, or failed earlier because its content differed (a new check may restore it). */
export const isCheckable = (v: VerdictBrief | undefined): boolean => v !== undefined && (v.outcome === 'committed' || failedForContent(v));

export async function verifyContent(deps: VerifyContentDeps, o: VerifyContentOptions): Promise<ContentSummary> {
  const files = await deps.library.select(o.selection);
  const verdicts = await deps.verdicts.verdictsOf(o.remote.id, files.map((f) => f.sopInstanceUid));
  const eligible = files.filter((f) => isCheckable(verdicts.get(f.sopInstanceUid)));
  const chosen = chooseSample(eligible, o.sample, deps.random);
  const retriever = deps.retrieverFor(o.remote);
  const started = deps.clock.now();
  const runId = await deps.store.startContentRun({
    remoteId: o.remote.id,
    via: retriever.via,
    source: retriever.source,
    sample: o.sample,
    committed: eligible.length,
    checked: chosen.length,
    now: started,
  });
  const counts = { ...NO_CONTENT_COUNTS };
  let done = 0;
  let bytes = 0;
  let batch: ContentCheckRecord[] = [];
  const flush = async () => {
    const b = batch;
    batch = [];
    // Persist first, then announce.
    await deps.store.recordContentChecks(runId, o.remote.id, b);
    for (const r of b) {
      counts[r.outcome]++;
      done++;
      bytes += r.bytes;
    }
    o.onProgress?.({ runId, done, total: chosen.length, counts: { ...counts }, bytes, ...ratesOf({ done, total: chosen.length, bytes, elapsedMs: deps.clock.now() - started }) });
  };
  let end: ContentSummary['end'] = 'done';
  try {
    await retriever.retrieve(
      chosen,
      async (f: IndexedFile, copy) => {
        batch.push(checkCopy(f, copy, deps.clock.now()));
        if (batch.length >= BATCH) await flush();
      },
      o.signal,
    );
    if (batch.length > 0) await flush();
    if (o.signal?.aborted) end = 'cancelled';
  } catch (e) {
    await deps.store.finishContentRun(runId, 'unfinished', deps.clock.now()).catch(() => {});
    throw e;
  } finally {
    await retriever.close();
  }
  await deps.store.finishContentRun(runId, end, deps.clock.now());
  return (await deps.store.contentRun(o.remote.id, { runId }))!;
}
