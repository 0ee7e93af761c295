/**
 * C-STORE SCU: sends many files on one association (more only past 128 presentation contexts).
 *
 * Each file's data set goes out as the bytes that follow its File Meta group when the archive
 * accepted the file's own transfer syntax: no parsing, no re-encoding (pdata.ts). An Explicit VR
 * file the archive takes only in Implicit VR Little Endian is re-encoded element by element
 * (implicit-vr.ts); compressed pixel data never is. Files are streamed one at a time.
 *
 * Every item ends with an outcome, as data: stored (with the status in words, warnings included),
 * failed (the archive's failure status), refused (no accepted context: nothing sent), file-problem
 * (changed since the scan, incomplete, unreadable: nothing sent) or not-sent (cancelled, or the
 * association ended before the archive confirmed it: send it again later). A DimseError is thrown
 * only when the first association cannot be opened, i.e. nothing was sent at all.
 */
import { encodeCStoreRq } from './command-set';
import { toImplicitLittleEndian } from './implicit-vr';
import { inspectForSending, openDataSet, readDataSet, type ExpectedInstance, type SendableFile } from './part10-source';
import { bufferSource, ConnectionClosedError, FileShrankError, PDataWriter, READ_BLOCK_BYTES, type DataSetSource } from './pdata';
import { RequestorAssociation, type AcceptedContext } from './requestor';
import { ResponseReader, type ResponseCommand } from './response-reader';
import type { DimseLogger } from './scu';
import { describeServiceStatus } from './status-words';
import { chooseContext, planStoreAssociations, type PlannedAssociation } from './store-contexts';
import { DimseError, type AeAddress } from './types';
import { EXPLICIT_VR_BIG_ENDIAN, transferSyntaxName } from './uid-names';

export interface StoreItem extends ExpectedInstance {
  path: string;
}

export type StoreOutcome =
  | { kind: 'stored'; status: number; text: string; warning: boolean; comment?: string; transferSyntaxUid: string; reencoded: boolean }
  | { kind: 'failed'; status: number; text: string; comment?: string }
  | { kind: 'refused'; text: string }
  | { kind: 'file-problem'; text: string }
  | { kind: 'not-sent'; text: string };

export type StoreOutcomeKind = StoreOutcome['kind'];

export interface StoreInstanceResult {
  /** Index of the item in `items`. */
  index: number;
  item: StoreItem;
  outcome: StoreOutcome;
}

export interface StoreProgress {
  /** Items with an outcome so far, of `total`. */
  done: number;
  total: number;
  stored: number;
  /** Data set bytes written to the archive so far. */
  bytesSent: number;
}

export interface StoreOptions {
  callingAeTitle: string;
  called: AeAddress;
  items: readonly StoreItem[];
  /** Connect + association negotiation, per association. */
  timeoutMs: number;
  /** How long the archive may take to answer one C-STORE once its last byte is sent (default 60 s). */
  responseTimeoutMs?: number;
  /** Stops before the next instance (the one in flight gets its response first). */
  signal?: AbortSignal;
  onProgress?: (p: StoreProgress) => void;
  /** Called (and awaited) for each outcome as it happens, before the next instance is sent. */
  onInstance?: (r: StoreInstanceResult) => void | Promise<void>;
  logger?: DimseLogger;
}

export interface StoreResult {
  /** One per item, in item order. */
  results: StoreInstanceResult[];
  counts: Record<StoreOutcomeKind, number>;
  bytesSent: number;
  associations: number;
  /** Why items were left not-sent (the association failed); undefined otherwise. */
  error?: DimseError;
  cancelled: boolean;
}

const DEFAULT_RESPONSE_TIMEOUT_MS = 60_000;
const RELEASE_TIMEOUT_MS = 5_000;

class StoreRun {
  readonly results: (StoreInstanceResult | undefined)[];
  readonly counts: Record<StoreOutcomeKind, number> = { stored: 0, failed: 0, refused: 0, 'file-problem': 0, 'not-sent': 0 };
  bytesSent = 0;
  private done = 0;

  constructor(private readonly o: StoreOptions) {
    this.results = new Array(o.items.length).fill(undefined);
  }

  async record(index: number, outcome: StoreOutcome): Promise<void> {
    const r: StoreInstanceResult = { index, item: this.o.items[index]!, outcome };
    this.results[index] = r;
    this.counts[outcome.kind]++;
    this.done++;
    await this.o.onInstance?.(r);
    this.o.onProgress?.({ done: this.done, total: this.o.items.length, stored: this.counts.stored, bytesSent: this.bytesSent });
  }

  /** Every item still without an outcome becomes not-sent with `text`. */
  async leaveRest(text: string): Promise<void> {
    for (let i = 0; i < this.results.length; i++) if (!this.results[i]) await this.record(i, { kind: 'not-sent', text });
  }
}

/** An Explicit VR data set as Implicit VR Little Endian (the only re-encoding chooseContext asks for). */
async function reencode(file: SendableFile): Promise<Buffer> {
  return toImplicitLittleEndian(await readDataSet(file), file.transferSyntaxUid === EXPLICIT_VR_BIG_ENDIAN);
}

/** An item ready to go (file checked, context chosen, first bytes read), or its outcome without sending. */
type Prepared =
  | { index: number; outcome: StoreOutcome }
  | { index: number; file: SendableFile; context: AcceptedContext; reencoded: boolean; data: DataSetSource & { close(): Promise<void> } };

/** Never rejects: every problem with the file becomes its outcome. */
async function prepare(index: number, item: StoreItem, accepted: readonly AcceptedContext[], buffer: (bytes: number) => Buffer): Promise<Prepared> {
  const inspected = inspectForSending(item.path, item);
  if (!inspected.ok) return { index, outcome: { kind: 'file-problem', text: inspected.problem } };
  const file = inspected.file;
  const choice = chooseContext(accepted, { sopClassUid: file.sopClassUid, transferSyntaxUid: file.transferSyntaxUid });
  if (choice.kind === 'refused') return { index, outcome: { kind: 'refused', text: choice.description } };
  try {
    if (choice.kind === 'convert') {
      const bytes = await reencode(file);
      return { index, file, context: choice.context, reencoded: true, data: { ...bufferSource(bytes), close: async () => {} } };
    }
    const data = await openDataSet(file, buffer(Math.min(file.fileSize, READ_BLOCK_BYTES)));
    return { index, file, context: choice.context, reencoded: false, data };
  } catch (e) {
    const what =
      choice.kind === 'convert'
        ? `could not re-encode from ${transferSyntaxName(file.transferSyntaxUid)} to ${transferSyntaxName(choice.context.transferSyntax)}`
        : 'file unreadable';
    return { index, outcome: { kind: 'file-problem', text: `${what}: ${(e as Error).message}` } };
  }
}

async function discard(p: Promise<Prepared> | undefined): Promise<void> {
  const r = await p;
  if (r && 'data' in r) await r.data.close().catch(() => {});
}

const C_STORE_RSP = 0x8001;

/** Waits for the C-STORE-RSP to one request at a time (no asynchronous operations window is negotiated). */
class ResponseWait {
  private waiting: { messageId: number; resolve: (c: ResponseCommand) => void; reject: (e: DimseError) => void } | undefined;
  private failure: DimseError | undefined;

  constructor(private readonly peer: string) {}

  expect(messageId: number): Promise<ResponseCommand> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<ResponseCommand>((resolve, reject) => {
      this.waiting = { messageId, resolve, reject };
    });
    p.catch(() => {}); // observed by the caller; an early failure must not count as unhandled
    return p;
  }

  /** A command read by ResponseReader; false when it is not the awaited response (a protocol error). */
  take(c: ResponseCommand): boolean {
    const w = this.waiting;
    if (!w || c.commandField !== C_STORE_RSP || c.messageIdBeingRespondedTo !== w.messageId || c.status === undefined) return false;
    this.waiting = undefined;
    w.resolve(c);
    return true;
  }

  fail(e: DimseError): void {
    this.failure ??= e;
    this.waiting?.reject(this.failure);
    this.waiting = undefined;
  }

  describe(c: ResponseCommand): string {
    return `unexpected command from ${this.peer} (command field ${c.commandField.toString(16).padStart(4, '0')}H, responding to message ${c.messageIdBeingRespondedTo ?? 'none'})`;
  }
}

/**
 * One association's worth of items, in order. While the archive works on one instance the next
 * one is prepared (two files in memory at most). Resolves with the error that ended it early.
 */
async function sendOnAssociation(a: RequestorAssociation, plan: PlannedAssociation, run: StoreRun, o: StoreOptions): Promise<DimseError | undefined> {
  const socket = a.network.socket;
  socket.setNoDelay(true); // the last fragment must not wait for an ACK (Nagle)
  const writer = new PDataWriter(socket, a.acceptedAssociation.getMaxPduLength());
  const accepted = a.acceptedContexts();
  const responseTimeoutMs = o.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
  const responses = new ResponseWait(o.called.aeTitle);
  let ended: DimseError | undefined;
  const endedPromise = new Promise<DimseError>((resolve) =>
    a.onEnd((e) => {
      ended ??= e ?? new DimseError('aborted', `association with ${o.called.aeTitle} ended`);
      responses.fail(ended);
      resolve(ended);
    }),
  );
  const protocolError = (message: string) => {
    ended ??= new DimseError('protocol', `DICOM protocol error with ${o.called.aeTitle}: ${message}`);
    responses.fail(ended);
    a.abort();
  };
  const reader = new ResponseReader(socket, (c) => responses.take(c) || protocolError(responses.describe(c)), protocolError);
  reader.install();

  const items = plan.items;
  // Two read buffers, used in turn: the one item k+2 reads into last carried item k, whose response
  // (so all of whose bytes reached the archive) came before item k+2 is prepared.
  const buffers: (Buffer | undefined)[] = [undefined, undefined];
  const bufferFor = (k: number) => (bytes: number) => {
    const b = buffers[k % 2];
    if (b && b.length >= bytes) return b;
    return (buffers[k % 2] = Buffer.allocUnsafe(bytes));
  };
  const prepareAt = (k: number) => (k < items.length ? prepare(items[k]!, o.items[items[k]!]!, accepted, bufferFor(k)) : undefined);
  let messageId = 0;
  let next = prepareAt(0);
  try {
    for (let k = 0; k < items.length; k++) {
      const p = (await next)!;
      next = undefined;
      if (o.signal?.aborted || ended) {
        await discard(Promise.resolve(p));
        break;
      }
      if ('outcome' in p) {
        next = prepareAt(k + 1);
        await run.record(p.index, p.outcome);
        continue;
      }
      messageId = (messageId % 0xffff) + 1;
      const response = responses.expect(messageId);
      let timer: NodeJS.Timeout | undefined;
      try {
        try {
          const commandSet = encodeCStoreRq({ messageId, sopClassUid: p.file.sopClassUid, sopInstanceUid: p.file.sopInstanceUid });
          await writer.writeMessage(p.context.id, commandSet, p.data);
        } finally {
          await p.data.close().catch(() => {});
        }
        run.bytesSent += p.data.length;
        next = prepareAt(k + 1);
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(new DimseError('timeout', `no C-STORE response from ${o.called.aeTitle} within ${responseTimeoutMs} ms`));
            a.abort();
          }, responseTimeoutMs);
        });
        const rsp = await Promise.race([response, timedOut]);
        await run.record(p.index, storedOrFailed(rsp, p.context, p.reencoded));
      } catch (e) {
        if (e instanceof FileShrankError) {
          // Part of the data set is on the wire: only an A-ABORT ends that message.
          a.abort();
          await run.record(p.index, { kind: 'file-problem', text: e.message });
          return new DimseError('aborted', `association aborted by Safekeep: ${e.message}`);
        }
        const err = e instanceof DimseError ? e : e instanceof ConnectionClosedError ? await endedPromise : undefined;
        if (!err) throw e;
        await run.record(p.index, { kind: 'not-sent', text: `sent, but not confirmed by ${o.called.aeTitle}: ${err.message}` });
        return err;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    await discard(next);
    reader.restore();
  }
  return ended;
}

function storedOrFailed(rsp: ResponseCommand, context: AcceptedContext, reencoded: boolean): StoreOutcome {
  const words = describeServiceStatus('C-STORE', rsp.status!);
  const comment = rsp.errorComment || undefined;
  if (words.class === 'success' || words.class === 'warning') {
    return {
      kind: 'stored',
      status: words.code,
      text: words.text,
      warning: words.class === 'warning',
      ...(comment ? { comment } : {}),
      transferSyntaxUid: context.transferSyntax,
      reencoded,
    };
  }
  return { kind: 'failed', status: words.code, text: words.text, ...(comment ? { comment } : {}) };
}

export async function storeInstances(o: StoreOptions): Promise<StoreResult> {
  const run = new StoreRun(o);
  const log = o.logger ?? (() => {});
  // Items whose transfer syntax the index does not know get it from the file, for planning; a file
  // that cannot tell is a file problem right away (it would otherwise need a context of its own).
  const planned: number[] = [];
  const needs: { sopClassUid: string; transferSyntaxUid: string }[] = [];
  for (const [i, it] of o.items.entries()) {
    let ts = it.transferSyntaxUid;
    if (!ts) {
      const r = inspectForSending(it.path, it);
      if (!r.ok) {
        await run.record(i, { kind: 'file-problem', text: r.problem });
        continue;
      }
      ts = r.file.transferSyntaxUid;
    }
    planned.push(i);
    needs.push({ sopClassUid: it.sopClassUid, transferSyntaxUid: ts });
  }
  const plans = planStoreAssociations(needs).map((p) => ({ ...p, items: p.items.map((k) => planned[k]!) }));
  let error: DimseError | undefined;
  let associations = 0;
  for (const [n, plan] of plans.entries()) {
    if (o.signal?.aborted) break;
    let a: RequestorAssociation;
    try {
      a = await RequestorAssociation.open({ callingAeTitle: o.callingAeTitle, called: o.called, contexts: plan.contexts, timeoutMs: o.timeoutMs });
    } catch (e) {
      if (!(e instanceof DimseError) || n === 0) throw e;
      error = e;
      break;
    }
    associations++;
    const refused = plan.contexts.length - a.acceptedContexts().length;
    if (refused > 0) log(`${o.called.aeTitle} refused ${refused} of ${plan.contexts.length} presentation contexts: ${a.describeContexts()}`);
    try {
      error = await sendOnAssociation(a, plan, run, o);
    } finally {
      await a.release(Math.min(RELEASE_TIMEOUT_MS, o.timeoutMs));
    }
    if (error) break;
  }
  const cancelled = o.signal?.aborted === true;
  // An association that ended after its last response left nothing unsent: no error to report then.
  if (error && !run.results.includes(undefined)) error = undefined;
  if (error) await run.leaveRest(`not sent: ${error.message}`);
  else if (cancelled) await run.leaveRest('not sent: cancelled');
  return {
    results: run.results as StoreInstanceResult[],
    counts: run.counts,
    bytesSent: run.bytesSent,
    associations,
    ...(error ? { error } : {}),
    cancelled,
  };
}
