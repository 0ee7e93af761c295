import { hex4 } from '../../../src-shared/dicom/failure-reasons';
import type { Clock } from '../clock';
import { ERROR_BACKOFF, backoffMs, type BackoffPolicy } from '../engine/backoff';
import type { IncomingProcessor } from '../origin/processor';
import type { CommitmentPolicy } from '../origin/policy';
import type { IncomingRepo } from '../store/incoming-repo';
import type { RemotesRepo } from '../store/remotes-repo';
import { DimseListener, type SameAssociationReporter } from './listener';
import { sendCommitmentReport } from './scu';
import { DIMSE_STATUS, describeStatus, type AeAddress, type CommitmentReport, type NActionRequestData } from './types';

export interface DimseServiceConfig {
  aeTitle: string;
  host: string;
  port: number;
  /** SCUs allowed to ask for commitment, with the address where their report goes. */
  peers: AeAddress[];
  reportTimeoutMs?: number;
  /** Delivery of a report that failed is retried with this back-off, this many times. */
  reportRetry?: BackoffPolicy & { maxAttempts: number };
}

export interface DimseServiceDeps {
  incoming: IncomingRepo;
  processor: IncomingProcessor;
  remotes: RemotesRepo;
  clock: Clock;
  /** The policy that decides transactions received over DIMSE. */
  policy: () => CommitmentPolicy;
  /** Safekeep as SCU: a report for one of its own requests. */
  takeReport: (r: CommitmentReport) => Promise<number>;
  changed: (uid: string) => void;
  log?: (msg: string) => void;
}

const DEFAULT_RETRY = { ...ERROR_BACKOFF, baseMs: 5_000, maxMs: 10 * 60_000, maxAttempts: 12 };

/**
 * Safekeep's DICOM side: one listener (AE title, port) that is the Storage Commitment
 * SCP for configured peers, and receives the reports archives send back to Safekeep
 * as SCU. Every DIMSE transaction is an incoming transaction like a DICOMweb one; its
 * N-EVENT-REPORT goes back on the same association while it is open, else on a new one
 * to the peer's address, retried with back-off, and its delivery stays visible.
 */
export class DimseService {
  private listener: DimseListener | null = null;
  private readonly sameAssociation = new Map<string, SameAssociationReporter>();
  private readonly delivering = new Set<string>();
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private offCompleted: (() => void) | null = null;

  constructor(
    private config: DimseServiceConfig,
    private readonly deps: DimseServiceDeps,
  ) {}

  get port(): number | null {
    return this.listener?.port ?? null;
  }

  get aeTitle(): string {
    return this.config.aeTitle;
  }

  /** The calling AE titles of DIMSE remotes other than Safekeep's own: archives address their reports to them. */
  otherAeTitles(): string[] {
    const titles = this.deps.remotes.list().flatMap((r) => (r.kind === 'dimse' ? [r.config.callingAeTitle] : []));
    return [...new Set(titles)].filter((t) => t !== this.config.aeTitle);
  }

  /** Peers can change while running (Settings). */
  setPeers(peers: AeAddress[]): void {
    this.config = { ...this.config, peers };
  }

  async start(): Promise<{ port: number }> {
    this.listener = new DimseListener({
      aeTitle: this.config.aeTitle,
      host: this.config.host,
      port: this.config.port,
      otherAeTitles: () => this.otherAeTitles(),
      logger: this.deps.log,
      handlers: {
        admit: (a) => this.admit(a.callingAeTitle, a.remoteHost),
        onNAction: (req, reporter) => this.onNAction(req, reporter),
        onEventReport: (r) => this.deps.takeReport(r),
      },
    });
    const started = await this.listener.start();
    this.offCompleted = this.deps.processor.onCompleted((uid) => {
      if (this.deps.incoming.get(uid)?.source === 'dimse') void this.deliver(uid);
    });
    // Reports that were due when Safekeep stopped.
    this.scheduleRetries(0);
    return started;
  }

  /** Configured peers, and the archives Safekeep sends requests to (they report back on new associations). */
  private admit(callingAeTitle: string, remoteHost: string): string | null {
    const peer = this.config.peers.find((p) => p.aeTitle === callingAeTitle);
    if (peer) {
      return sameHost(peer.host, remoteHost) ? null : `calling AE title ${callingAeTitle} is configured for ${peer.host}, not ${remoteHost}`;
    }
    const archive = this.deps.remotes.list().find((r) => r.kind === 'dimse' && r.config.aeTitle === callingAeTitle);
    if (archive) return null;
    return `calling AE title ${callingAeTitle} is not a configured peer`;
  }

  private async onNAction(req: NActionRequestData, reporter: SameAssociationReporter): Promise<number> {
    const { incoming, clock } = this.deps;
    if (incoming.exists(req.transactionUid)) {
      this.deps.log?.(`N-ACTION from ${req.callingAeTitle}: Transaction UID ${req.transactionUid} already in use`);
      return DIMSE_STATUS.ProcessingFailure;
    }
    const policy = this.deps.policy();
    incoming.create({
      transactionUid: req.transactionUid,
      source: 'dimse',
      client: req.callingAeTitle,
      requester: `${req.callingAeTitle}@${req.remoteHost}`,
      mediaType: null,
      policy: policy.id,
      instances: req.instances.map((i) => ({ ...i, form: 'flat' as const })),
      receivedAt: clock.now(),
    });
    incoming.setReport(req.transactionUid, {
      state: 'pending',
      attempts: 0,
      meta: { callingAeTitle: req.callingAeTitle, calledAeTitle: req.calledAeTitle, remoteHost: req.remoteHost },
    });
    this.sameAssociation.set(req.transactionUid, reporter);
    this.deps.changed(req.transactionUid);
    void this.deps.processor.start(req.transactionUid);
    // The N-ACTION-RSP only says "received"; the outcome comes with the N-EVENT-REPORT.
    return DIMSE_STATUS.Success;
  }

  /** Sends the report of a finished DIMSE transaction: same association if still open, else a new one. */
  async deliver(uid: string): Promise<void> {
    if (this.delivering.has(uid) || this.stopped) return;
    this.delivering.add(uid);
    const { incoming, clock } = this.deps;
    try {
      const tx = incoming.get(uid);
      const meta = incoming.reportMeta(uid);
      if (!tx || tx.state !== 'done' || !meta || tx.reportState === 'sent' || tx.reportState === 'failed') return;
      const result = incoming.result(uid);
      const content = { transactionUid: uid, committed: result.committed, failed: result.failed };
      const timeoutMs = this.config.reportTimeoutMs ?? 30_000;
      const here = this.sameAssociation.get(uid);
      this.sameAssociation.delete(uid);
      if (here) {
        const answer = await here.sendReportIfOpen(content, timeoutMs);
        if (answer) return this.delivered(uid, tx.reportAttempts + 1, answer.status, 'the N-ACTION association');
      }
      const peer = this.config.peers.find((p) => p.aeTitle === meta.callingAeTitle);
      if (!peer) {
        incoming.setReport(uid, { state: 'failed', attempts: tx.reportAttempts, error: `No address configured for AE ${meta.callingAeTitle}: add it as a peer`, nextAt: null });
        return this.deps.changed(uid);
      }
      const attempt = tx.reportAttempts + 1;
      try {
        const { status } = await sendCommitmentReport({
          callingAeTitle: meta.calledAeTitle,
          called: peer,
          timeoutMs,
          report: content,
          ...(this.deps.log ? { logger: this.deps.log } : {}),
        });
        this.delivered(uid, attempt, status, `a new association to ${peer.aeTitle}@${peer.host}:${peer.port}`);
      } catch (e) {
        const retry = this.config.reportRetry ?? DEFAULT_RETRY;
        const why = `Report to ${peer.aeTitle}@${peer.host}:${peer.port} not delivered (attempt ${attempt}): ${(e as Error).message}`;
        if (attempt >= retry.maxAttempts) {
          incoming.setReport(uid, { state: 'failed', attempts: attempt, error: `${why}; gave up after ${attempt} attempts`, nextAt: null });
        } else {
          const next = clock.now() + backoffMs(attempt - 1, retry);
          incoming.setReport(uid, { state: 'retrying', attempts: attempt, error: why, nextAt: next });
          this.scheduleRetries(next - clock.now());
        }
        this.deps.changed(uid);
      }
    } finally {
      this.delivering.delete(uid);
    }
  }

  private delivered(uid: string, attempt: number, status: number, how: string): void {
    this.deps.incoming.setReport(uid, {
      state: 'sent',
      attempts: attempt,
      nextAt: null,
      error: status === 0 ? null : `Delivered on ${how}; the requester answered ${describeStatus(status)}`,
    });
    this.deps.log?.(`N-EVENT-REPORT for ${uid} delivered on ${how} (${hex4(status)})`);
    this.deps.changed(uid);
  }

  private scheduleRetries(delayMs: number): void {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      const now = this.deps.clock.now();
      for (const d of this.deps.incoming.reportsDue(now)) void this.deliver(d.uid);
      const next = this.deps.incoming.nextReportAt();
      if (next !== null) this.scheduleRetries(Math.max(1000, next - now));
    }, Math.max(0, delayMs));
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.offCompleted?.();
    await this.listener?.stop();
    this.listener = null;
  }
}

function sameHost(configured: string, actual: string): boolean {
  const norm = (h: string) => (h === 'localhost' || h === '::1' ? '127.0.0.1' : h.replace(/^::ffff:/, ''));
  return norm(configured) === norm(actual);
}
