import { toAppError } from '../../../src-shared/contract/errors';
import { hex4 } from '../../../src-shared/dicom/failure-reasons';
import { DimseService, type DimseListenerService, type DimseServiceConfig, type DimseServiceDeps } from '../dimse/service';
import type { SameAssociationReporter } from '../dimse/listener';
import { DIMSE_STATUS, describeStatus, type AeAddress, type CommitmentReport, type NActionRequestData } from '../dimse/types';
import { ERROR_BACKOFF, backoffMs } from '../engine/backoff';
import type { Scheduler, Timer } from '../scheduler';
import type { IncomingStore, RemotesStore } from '../store/ports';
import type { IncomingIntake } from './intake';
import type { IncomingProcessor } from './processor';

/** Delivery of a report that failed: 5 s doubling up to 10 min, at most 12 attempts. */
const DEFAULT_REPORT_RETRY = { ...ERROR_BACKOFF, baseMs: 5_000, maxMs: 10 * 60_000, maxAttempts: 12 };
/** Reports due later are looked at again no sooner than this (several due at once go together). */
const REPORT_RETRY_MIN_WAIT_MS = 1000;

export interface DimseScpDeps {
  incoming: IncomingStore;
  intake: IncomingIntake;
  processor: IncomingProcessor;
  remotes: RemotesStore;
  scheduler: Scheduler;
  /** Safekeep as SCU: a report for one of its own requests. */
  takeReport: (r: CommitmentReport) => Promise<number>;
  log?: (msg: string) => void;
  /** The listener's TLS (serve --tls-cert or Settings; null: plain TCP), read when it starts. */
  tls?: DimseServiceDeps['tls'];
  /**
   * Several nodes on one store: a report is delivered only by the node holding its lease (whichever node took
   * the N-ACTION), and each heartbeat looks for reports whose node died.
   */
  nodes?: { claimReport(uid: string): Promise<boolean>; onBeat(fn: () => void): () => void };
}

/**
 * Safekeep as DIMSE Storage Commitment SCP (PS3.4 Annex J): each N-ACTION goes through the intake like a
 * DICOMweb POST (duplicate UID, back-pressure, persist, admission, start), and the N-EVENT-REPORT of a
 * finished transaction goes back on the same association while it is open, else on a new one to the
 * peer's address, retried with back-off; its delivery stays visible. The listener is the DIMSE facade's.
 */
export class DimseScp implements DimseListenerService {
  private readonly dimse: DimseService;
  private readonly sameAssociation = new Map<string, SameAssociationReporter>();
  private readonly delivering = new Set<string>();
  private retryTimer: Timer | null = null;
  private stopped = false;
  private offCompleted: (() => void) | null = null;
  private offBeat: (() => void) | null = null;

  constructor(
    private readonly config: DimseServiceConfig,
    private readonly deps: DimseScpDeps,
  ) {
    this.dimse = new DimseService(config, {
      listRemotes: () => deps.remotes.list(),
      onNAction: (req, reporter) => this.onNAction(req, reporter),
      takeReport: deps.takeReport,
      ...(deps.log ? { log: deps.log } : {}),
      ...(deps.tls ? { tls: deps.tls } : {}),
    });
  }

  get port(): number | null {
    return this.dimse.port;
  }

  get aeTitle(): string {
    return this.dimse.aeTitle;
  }

  setPeers(peers: AeAddress[]): void {
    this.dimse.setPeers(peers);
  }

  refreshRemotes(): Promise<void> {
    return this.dimse.refreshRemotes();
  }

  otherAeTitles(): string[] {
    return this.dimse.otherAeTitles();
  }

  async start(): Promise<{ port: number }> {
    const started = await this.dimse.start();
    this.offCompleted = this.deps.processor.onCompleted((uid) => {
      void this.deps.incoming
        .get(uid)
        .then((tx) => (tx?.source === 'dimse' ? this.deliver(uid) : undefined))
        .catch((e) => this.deps.log?.(`N-EVENT-REPORT for ${uid} not sent: ${(e as Error).message}`));
    });
    // Reports that were due when Safekeep stopped (or whose node stopped).
    this.scheduleRetries(0);
    this.offBeat = this.deps.nodes?.onBeat(() => this.scheduleRetries(0)) ?? null;
    return started;
  }

  /** The N-ACTION-RSP only says "received" (or why not); the outcome comes with the N-EVENT-REPORT. */
  private async onNAction(req: NActionRequestData, reporter: SameAssociationReporter): Promise<number> {
    try {
      await this.deps.intake.take(
        {
          transactionUid: req.transactionUid,
          source: 'dimse',
          client: req.callingAeTitle,
          requester: `${req.callingAeTitle}@${req.remoteHost}`,
          mediaType: null,
          instances: req.instances.map((i) => ({ ...i, form: 'flat' as const })),
          report: { callingAeTitle: req.callingAeTitle, calledAeTitle: req.calledAeTitle, remoteHost: req.remoteHost },
        },
        // Before the processing starts: a decision made at once is reported on this association.
        () => this.sameAssociation.set(req.transactionUid, reporter),
      );
      return DIMSE_STATUS.Success;
    } catch (e) {
      const err = toAppError(e);
      const status = refusalStatus(err.code);
      this.deps.log?.(`N-ACTION from ${req.callingAeTitle} refused (${hex4(status)}): ${err.message}`);
      return status;
    }
  }

  /** Sends the report of a finished DIMSE transaction: same association if still open, else a new one. */
  async deliver(uid: string): Promise<void> {
    if (this.delivering.has(uid) || this.stopped) return;
    this.delivering.add(uid);
    const { incoming, scheduler } = this.deps;
    try {
      if (this.deps.nodes && !(await this.deps.nodes.claimReport(uid))) return; // another node delivers it
      const tx = await incoming.get(uid);
      const meta = await incoming.reportMeta(uid);
      if (!tx || tx.state !== 'done' || !meta || tx.reportState === 'sent' || tx.reportState === 'failed') return;
      const result = await incoming.result(uid);
      const content = { transactionUid: uid, committed: result.committed, failed: result.failed };
      const here = this.sameAssociation.get(uid);
      this.sameAssociation.delete(uid);
      if (here) {
        const answer = await here.sendReportIfOpen(content, this.dimse.reportTimeoutMs);
        if (answer) return this.delivered(uid, tx.reportAttempts + 1, answer.status, 'the N-ACTION association');
      }
      const peer = this.dimse.peer(meta.callingAeTitle);
      if (!peer) {
        await incoming.setReport(uid, { state: 'failed', attempts: tx.reportAttempts, error: `No address configured for AE ${meta.callingAeTitle}: add it as a peer`, nextAt: null });
        return;
      }
      const attempt = tx.reportAttempts + 1;
      try {
        const sent = await this.dimse.sendReport(peer, meta.calledAeTitle, content);
        await this.delivered(uid, attempt, sent.status, sent.how);
      } catch (e) {
        const retry = this.config.reportRetry ?? DEFAULT_REPORT_RETRY;
        const why = `Report to ${peer.aeTitle}@${peer.host}:${peer.port} not delivered (attempt ${attempt}): ${(e as Error).message}`;
        if (attempt >= retry.maxAttempts) {
          await incoming.setReport(uid, { state: 'failed', attempts: attempt, error: `${why}; gave up after ${attempt} attempts`, nextAt: null });
        } else {
          const next = scheduler.now() + backoffMs(attempt - 1, retry);
          await incoming.setReport(uid, { state: 'retrying', attempts: attempt, error: why, nextAt: next });
          this.scheduleRetries(next - scheduler.now());
        }
      }
    } finally {
      this.delivering.delete(uid);
    }
  }

  private async delivered(uid: string, attempt: number, status: number, how: string): Promise<void> {
    await this.deps.incoming.setReport(uid, {
      state: 'sent',
      attempts: attempt,
      nextAt: null,
      error: status === 0 ? null : `Delivered on ${how}; the requester answered ${describeStatus(status)}`,
    });
    this.deps.log?.(`N-EVENT-REPORT for ${uid} delivered on ${how} (${hex4(status)})`);
  }

  private scheduleRetries(delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer?.cancel();
    this.retryTimer = this.deps.scheduler.setTimer(
      Math.max(0, delayMs),
      () => {
        this.retryTimer = null;
        void this.retryDue().catch((e) => this.deps.log?.(`reports due not sent: ${(e as Error).message}`));
      },
      { unref: true },
    );
  }

  private async retryDue(): Promise<void> {
    const now = this.deps.scheduler.now();
    for (const d of await this.deps.incoming.reportsDue(now)) void this.deliver(d.uid);
    const next = await this.deps.incoming.nextReportAt();
    if (next !== null) this.scheduleRetries(Math.max(REPORT_RETRY_MIN_WAIT_MS, next - now));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retryTimer?.cancel();
    this.offCompleted?.();
    this.offBeat?.();
    await this.dimse.stop();
  }
}

/**
 * The N-ACTION-RSP status of a refused request: a Transaction UID in use stays a processing failure (as
 * before the intake was shared); too much being decided, or an upstream that is down, is a resource
 * limitation (try again later); a request the policy found wrong is an invalid argument.
 */
function refusalStatus(code: string): number {
  if (code === 'unavailable') return DIMSE_STATUS.ResourceLimitation;
  if (code === 'bad-request' || code === 'invalid-payload') return DIMSE_STATUS.InvalidArgumentValue;
  return DIMSE_STATUS.ProcessingFailure;
}
