/**
 * STOW-RS client (PS3.18 §10.5): stores local Part 10 files on an archive, several instances
 * per request, each file streamed from disk. Every instance ends with a stated StoreOutcome:
 * what the archive's answer says about it, the request's HTTP error, or "not sent" when no
 * answer came back (a dropped connection is never taken as stored).
 */
import fs from 'node:fs';
import { describeStoreStatus, storeFailureIsTransient } from '../../../src-shared/dicom/store-status';
import type { StoreOutcome, StowRequestSummary } from '../../../src-shared/store-outcome';
import { readDicomHeader } from '../library/header';
import { uidChange } from '../library/uid-change';
import { TransportError, type DicomwebClient } from './dicomweb-client';
import { DicomwebHttpError, explanationOf, statusWords } from './dicomweb-errors';
import { readStowAnswer, type StowAnswer } from './stow-answer';
import { stowBody, type BodyFile } from './stow-body';

export interface StowInstance {
  path: string;
  sopInstanceUid: string;
  sopClassUid: string;
  /** Checked too when given (the indexed values). */
  studyUid?: string;
  seriesUid?: string;
}

export interface StowOptions {
  /** Instances per request (default 10: smaller requests let the archive store while the next one streams in). */
  maxInstancesPerRequest?: number;
  /** Bytes of files per request (default 64 MiB); a file larger than this goes alone. */
  maxBytesPerRequest?: number;
  /** Requests in flight at once (default 2; measured in bench/stow.ts against Orthanc). */
  concurrency?: number;
  /** Re-read each file's header just before sending: a file whose UIDs changed is not sent (default true). */
  checkFiles?: boolean;
  signal?: AbortSignal;
  /** Called after each request with its outcomes (persist them here, before the next request is counted). */
  onRequest?: (summary: StowRequestSummary, outcomes: ReadonlyMap<string, StoreOutcome>) => void | Promise<void>;
}

export interface StowResult {
  /** One outcome per SOP Instance UID asked for. */
  outcomes: Map<string, StoreOutcome>;
  requests: StowRequestSummary[];
  /** Why sending stopped before the end (an error every further request would meet, or cancel); null otherwise. */
  stoppedBy: DicomwebHttpError | TransportError | null;
}

/** PS3.18 Table 10.5.3-1, and what the other statuses mean for a store. */
const MEANING: Record<number, string> = {
  200: 'all instances stored',
  202: 'some instances stored, with warnings or failures for others',
  400: 'no instance stored: bad syntax',
  401: 'not authenticated',
  403: 'not allowed to store',
  404: 'no STOW-RS service at this URL',
  405: 'no STOW-RS service at this URL',
  409: 'no instance stored: conflict (e.g. SOP Class not supported)',
  413: 'the request is too large for the archive (lower the instances or bytes per request)',
  415: 'the archive does not accept multipart/related; type="application/dicom"',
  503: 'the archive is busy',
};
const statusSummary = (s: number) => `${statusWords(s)}${MEANING[s] ? ` (${MEANING[s]})` : ''}`;

/** Errors that every further request would meet the same way: stop rather than fail them one by one. */
function stopsSending(e: DicomwebHttpError | TransportError): boolean {
  if (e instanceof DicomwebHttpError) return [401, 403, 404, 405, 415].includes(e.status);
  return e.kind === 'refused' || e.kind === 'dns' || e.kind === 'tls';
}

interface Batch {
  files: (BodyFile & { uid: string })[];
  bytes: number;
}

export class StowClient {
  /** `base`: the STOW-RS base URL (the remote's studies service root, e.g. http://host/dicom-web). */
  constructor(
    private readonly http: DicomwebClient,
    private readonly base: string,
  ) {}

  get url(): string {
    return `${this.base.replace(/\/+$/, '')}/studies`;
  }

  async store(instances: readonly StowInstance[], o: StowOptions = {}): Promise<StowResult> {
    const maxCount = Math.max(1, o.maxInstancesPerRequest ?? 10);
    const maxBytes = Math.max(1, o.maxBytesPerRequest ?? 64 * 1024 * 1024);
    const outcomes = new Map<string, StoreOutcome>();
    const requests: StowRequestSummary[] = [];
    // Set inside the workers: declared with a cast so TypeScript does not narrow it to null.
    let stoppedBy = null as StowResult['stoppedBy'];
    let next = 0;
    let index = 0;

    // Files are checked as their batch is formed, i.e. just before they are sent.
    const nextBatch = (): Batch | null => {
      const batch: Batch = { files: [], bytes: 0 };
      while (next < instances.length && batch.files.length < maxCount) {
        const inst = instances[next]!;
        const size = o.checkFiles === false ? fileSize(inst.path) : checkFile(inst);
        if (typeof size === 'string') {
          outcomes.set(inst.sopInstanceUid, { kind: 'not-sent', reason: size });
          next++;
          continue;
        }
        if (batch.files.length > 0 && batch.bytes + size > maxBytes) break;
        batch.files.push({ path: inst.path, size, uid: inst.sopInstanceUid });
        batch.bytes += size;
        next++;
      }
      return batch.files.length > 0 ? batch : null;
    };

    const worker = async (): Promise<void> => {
      for (;;) {
        if (stoppedBy === null && o.signal?.aborted) stoppedBy = new TransportError('other', 'Sending was cancelled', false);
        if (stoppedBy) return;
        const batch = nextBatch();
        if (!batch) return;
        const summaryIndex = ++index;
        const t = performance.now();
        const r = await this.send(batch, o.signal);
        const summary: StowRequestSummary = {
          index: summaryIndex,
          instances: batch.files.length,
          bytes: batch.bytes,
          httpStatus: r.httpStatus,
          summary: r.summary,
          note: r.note,
          ms: Math.round(performance.now() - t),
        };
        for (const [uid, out] of r.outcomes) outcomes.set(uid, out);
        requests.push(summary);
        if (r.error && stopsSending(r.error)) stoppedBy ??= r.error;
        await o.onRequest?.(summary, r.outcomes);
      }
    };
    const workers = Math.max(1, Math.min(o.concurrency ?? 2, 16));
    await Promise.all(Array.from({ length: workers }, worker));

    for (const inst of instances) {
      if (!outcomes.has(inst.sopInstanceUid)) {
        outcomes.set(inst.sopInstanceUid, { kind: 'not-sent', reason: `Not sent: ${stoppedBy?.message ?? 'sending stopped'}` });
      }
    }
    requests.sort((a, b) => a.index - b.index);
    return { outcomes, requests, stoppedBy };
  }

  private async send(
    batch: Batch,
    signal: AbortSignal | undefined,
  ): Promise<{
    outcomes: Map<string, StoreOutcome>;
    httpStatus: number | null;
    summary: string;
    note: string | null;
    error: DicomwebHttpError | TransportError | null;
  }> {
    const body = stowBody(batch.files);
    try {
      const answer = await this.http.exchange(this.url, {
        method: 'POST',
        headers: {
          'content-type': body.contentType,
          'content-length': String(body.contentLength),
          // One media type: Orthanc's plugin reads Accept literally (no q-values); XML answers are read all the same.
          accept: 'application/dicom+json',
        },
        body: body.stream,
        signal,
        maxAnswerBytes: 64 * 1024 * 1024,
      });
      const read = readStowAnswer(answer.body);
      const judged = judge(batch, answer.status, read, explanationOf(answer));
      const error = answer.status >= 400 && 'problem' in read ? DicomwebHttpError.of('STOW-RS', this.url, answer) : null;
      return { ...judged, httpStatus: answer.status, summary: statusSummary(answer.status), error };
    } catch (e) {
      body.stream.destroy();
      const err = e instanceof TransportError ? e : new TransportError('other', (e as Error).message, true);
      const reason = `Not sent: ${err.message}${err.delivered ? ' (the archive may have received part of the request; not taken as stored)' : ''}`;
      const outcomes = new Map<string, StoreOutcome>(batch.files.map((f) => [f.uid, { kind: 'not-sent', reason }]));
      return { outcomes, httpStatus: null, summary: err.message, note: null, error: err };
    }
  }
}

/** Each instance of a request as the answer states it; `read` is the parsed module or why it cannot be read. */
function judge(
  batch: Batch,
  status: number,
  read: StowAnswer | { problem: string },
  explanation: string,
): { outcomes: Map<string, StoreOutcome>; note: string | null } {
  const outcomes = new Map<string, StoreOutcome>();
  const http = statusSummary(status);
  if ('problem' in read) {
    for (const f of batch.files) {
      if (status >= 200 && status < 300) {
        outcomes.set(f.uid, { kind: 'unconfirmed', httpStatus: status, reason: `${http}, but ${read.problem}` });
      } else {
        const reason = `${http}${explanation ? `: ${explanation}` : ''}`;
        outcomes.set(f.uid, { kind: 'failed', reason, code: null, httpStatus: status, transient: status >= 500 || status === 429 || status === 408 || status === 413 });
      }
    }
    return { outcomes, note: null };
  }
  for (const f of batch.files) {
    const stored = read.stored.get(f.uid);
    const failed = read.failed.get(f.uid);
    if (failed) {
      const reason = failed.code === null ? 'Failed; the archive gave no Failure Reason' : describeStoreStatus(failed.code);
      outcomes.set(f.uid, { kind: 'failed', reason, code: failed.code, httpStatus: status, transient: failed.code !== null && storeFailureIsTransient(failed.code) });
    } else if (stored) {
      outcomes.set(f.uid, { kind: 'stored', warning: stored.code === null ? null : describeStoreStatus(stored.code) });
    } else if (status === 200) {
      outcomes.set(f.uid, { kind: 'unconfirmed', httpStatus: status, reason: `${http}, but the answer does not list this instance` });
    } else {
      const reason = `${http}; the answer lists this instance neither as stored nor as failed${explanation ? ` (${explanation})` : ''}`;
      outcomes.set(f.uid, { kind: 'failed', reason, code: null, httpStatus: status, transient: status === 202 || status >= 500 });
    }
  }
  return { outcomes, note: contradiction(status, read) };
}

function contradiction(status: number, read: StowAnswer): string | null {
  const notes: string[] = [];
  if ((status === 400 || status === 409) && read.stored.size > 0) {
    notes.push(`${statusWords(status)} says no instance was stored, yet the answer lists ${read.stored.size} as stored; each instance is taken as the answer lists it`);
  }
  if (status === 200 && read.failed.size > 0) notes.push(`HTTP 200 says all were stored, yet the answer lists ${read.failed.size} as failed`);
  if (read.failedWithoutUid > 0) notes.push(`the answer lists ${read.failedWithoutUid} failed part(s) without a SOP Instance UID`);
  return notes.length > 0 ? notes.join('; ') : null;
}

/** The file's size when it still holds the instance the index says, else why it is not sent. */
function checkFile(inst: StowInstance): number | string {
  const r = readDicomHeader(inst.path);
  if (!r.ok) return `File changed since the scan: ${r.message}`;
  const changed = uidChange(inst, r.header);
  if (changed) return `File changed since the scan: ${changed}`;
  // A cut-short file would be stored broken: the archive would then commit an object that is not the instance.
  if (r.pixelDataProblem) return `Not sent: ${r.pixelDataProblem}`;
  return r.fileSize;
}

function fileSize(path: string): number | string {
  try {
    return fs.statSync(path).size;
  } catch (e) {
    return `Cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}
