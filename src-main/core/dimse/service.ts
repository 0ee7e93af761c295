import { hex4 } from '../../../src-shared/dicom/failure-reasons';
import type { AuditTrail } from '../audit/trail';
import type { Clock } from '../clock';
import { ERROR_BACKOFF, backoffMs, type BackoffPolicy } from '../engine/backoff';
import type { RemoteView } from '../../../src-shared/remotes';
import type { IncomingProcessor } from '../origin/processor';
import type { CommitmentPolicy } from '../origin/policy';
import type { IncomingStore, RemotesStore } from '../store/ports';
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
  incoming: IncomingStore;
  processor: IncomingProcessor;
  remotes: RemotesStore;
  clock: Clock;
  /** The policy that decides transactions received over DIMSE. */
  policy: () => CommitmentPolicy;
  /** Safekeep as SCU: a report for one of its own requests. */
  takeReport: (r: CommitmentReport) => Promise<number>;
  log?: (msg: string) => void;
  audit?: AuditTrail;
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
  /**
   * The DIMSE remotes as last read: the association handshake asks about them synchronously (called AE
   * titles, calling archives), so they are read ahead, at start and whenever the remotes change.
   */
  private dimseRemotes: (RemoteView & { kind: 'dimse' })[] = [];

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
    const titles = this.dimseRemotes.map((r) => r.config.callingAeTitle);
    return [...new Set(titles)].filter((t) => t !== this.config.aeTitle);
  }

  /** Reads the DIMSE remotes again (they changed). */
  async refreshRemotes(): Promise<void> {
    this.dimseRemotes = (await this.deps.remotes.list()).flatMap((r) => (r.kind === 'dimse' ? [r] : []));
  }

  /** Peers can change while running (Settings). */
  setPeers(peers: AeAddress[]): void {
    this.config = { ...this.config, peers };
  }

  async start(): Promise<{ port: number }> {
    await this.refreshRemotes();
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
      void this.deps.incoming
        .get(uid)
        .then((tx) => (tx?.source === 'dimse' ? this.deliver(uid) : undefined))
        .catch((e) => this.deps.log?.(`N-EVENT-REPORT for ${uid} not sent: ${(e as Error).message}`));
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
    const archive = this.dimseRemotes.find((r) => r.config.aeTitle === callingAeTitle);
    if (archive) return null;
    return `calling AE title ${callingAeTitle} is not a configured peer`;
  }

  private async onNAction(req: NActionRequestData, reporter: SameAssociationReporter): Promise<number> {
    const { incoming, clock } = this.deps;
    const policy = this.deps.policy();
    // One store call: the UID check, the transaction and where its report goes (no race with a second N-ACTION).
    const stored = await incoming.create(
      {
        transactionUid: req.transactionUid,
        source: 'dimse',
        client: req.callingAeTitle,
        requester: `${req.callingAeTitle}@${req.remoteHost}`,
        mediaType: null,
        policy: policy.id,
        instances: req.instances.map((i) => ({ ...i, form: 'flat' as const })),
        receivedAt: clock.now(),
      },
      { report: { callingAeTitle: req.callingAeTitle, calledAeTitle: req.calledAeTitle, remoteHost: req.remoteHost } },
    );
    if (!stored.created) {
      this.deps.log?.(`N-ACTION from ${req.callingAeTitle}: Transaction UID ${req.transactionUid} already in use`);
      return DIMSE_STATUS.ProcessingFailure;
    }
    this.deps.audit?.record({
      event: 'commitment-request-received',
      outcome: 0,
      user: req.callingAeTitle,
      address: req.remoteHost,
      object: { id: req.transactionUid, kind: 'transaction-uid', detail: { instances: req.instances.length, protocol: 'dimse' } },
    });
    this.sameAssociation.set(req.transactionUid, reporter);
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
      const tx = await incoming.get(uid);
      const meta = await incoming.reportMeta(uid);
      if (!tx || tx.state !== 'done' || !meta || tx.reportState === 'sent' || tx.reportState === 'failed') return;
      const result = await incoming.result(uid);
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
        await incoming.setReport(uid, { state: 'failed', attempts: tx.reportAttempts, error: `No address configured for AE ${meta.callingAeTitle}: add it as a peer`, nextAt: null });
        return;
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
        await this.delivered(uid, attempt, status, `a new association to ${peer.aeTitle}@${peer.host}:${peer.port}`);
      } catch (e) {
        const retry = this.config.reportRetry ?? DEFAULT_RETRY;
        const why = `Report to ${peer.aeTitle}@${peer.host}:${peer.port} not delivered (attempt ${attempt}): ${(e as Error).message}`;
        if (attempt >= retry.maxAttempts) {
          await incoming.setReport(uid, { state: 'failed', attempts: attempt, error: `${why}; gave up after ${attempt} attempts`, nextAt: null });
        } else {
          const next = clock.now() + backoffMs(attempt - 1, retry);
          await incoming.setReport(uid, { state: 'retrying', attempts: attempt, error: why, nextAt: next });
          this.scheduleRetries(next - clock.now());
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
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retryDue().catch((e) => this.deps.log?.(`reports due not sent: ${(e as Error).message}`));
    }, Math.max(0, delayMs));
    this.retryTimer.unref();
  }

  private async retryDue(): Promise<void> {
    const now = this.deps.clock.now();
    for (const d of await this.deps.incoming.reportsDue(now)) void this.deliver(d.uid);
    const next = await this.deps.incoming.nextReportAt();
    if (next !== null) this.scheduleRetries(Math.max(1000, next - now));
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
