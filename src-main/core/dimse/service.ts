import type tls from 'node:tls';
import type { RemoteView } from '../../../src-shared/remotes';
import { clientTlsFromServer } from '../tls/profile';
import { DimseListener, type SameAssociationReporter } from './listener';
import { sendCommitmentReport } from './scu';
import type { AeAddress, CommitmentReport, CommitmentReportContent, NActionRequestData } from './types';
import type { ListenerLimits } from './pdu-guard';

export interface DimseServiceConfig {
  aeTitle: string;
  host: string;
  port: number;
  /** SCUs allowed to ask for commitment, with the address where their report goes. */
  peers: AeAddress[];
  reportTimeoutMs?: number;
  /** Delivery of a report that failed is retried with this back-off, this many times. */
  reportRetry?: { baseMs: number; maxMs: number; maxAttempts: number };
  /** ARTIM, concurrent associations, PDU lengths (defaults in pdu-guard.ts; `serve` flags override). */
  limits?: Partial<ListenerLimits>;
}

/** How long the requester has to answer an N-EVENT-REPORT. */
export const DEFAULT_REPORT_TIMEOUT_MS = 30_000;

export interface DimseServiceDeps {
  /** The remotes as stored: the DIMSE archives among them may call back with reports. */
  listRemotes: () => Promise<RemoteView[]>;
  /** Safekeep as SCP: an N-ACTION from an admitted peer; the status of its N-ACTION-RSP. */
  onNAction: (req: NActionRequestData, reporter: SameAssociationReporter) => Promise<number>;
  /** Safekeep as SCU: a report for one of its own requests. */
  takeReport: (r: CommitmentReport) => Promise<number>;
  log?: (msg: string) => void;
  /** The listener's TLS (read when it starts; null: plain TCP). Reports to peers on a new association then use TLS too. */
  tls?: () => tls.TlsOptions | null;
}

/** What the listener's owner (listener-control.ts) runs and restarts. */
export interface DimseListenerService {
  readonly port: number | null;
  readonly aeTitle: string;
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  setPeers(peers: AeAddress[]): void;
  refreshRemotes(): Promise<void>;
  /** The calling AE titles of DIMSE remotes other than Safekeep's own: archives address their reports to them. */
  otherAeTitles(): string[];
}

/** A report that went out: the requester's status, and on which association. */
export type ReportSent = { status: number; how: string };

/**
 * Safekeep's DICOM side as a protocol facade: one listener (AE title, port) that admits the configured
 * peers (Storage Commitment SCUs) and the archives Safekeep sends requests to (they report back), hands
 * each N-ACTION and N-EVENT-REPORT to its callbacks, and sends a report to a peer on a new association.
 * What a transaction means (intake, its report's delivery) is the incoming domain's (incoming/dimse-scp.ts).
 */
export class DimseService implements DimseListenerService {
  private listener: DimseListener | null = null;
  /**
   * The DIMSE remotes as last read: the association handshake asks about them synchronously (called AE
   * titles, calling archives), so they are read ahead, at start and whenever the remotes change.
   */
  private dimseRemotes: (RemoteView & { kind: 'dimse' })[] = [];
  /** With a TLS listener: how Safekeep connects to a peer to deliver a report (its own certificate, the listener's client CA). */
  private peerTls: tls.ConnectionOptions | null = null;

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
    this.dimseRemotes = (await this.deps.listRemotes()).flatMap((r) => (r.kind === 'dimse' ? [r] : []));
  }

  /** Peers can change while running (Settings). */
  setPeers(peers: AeAddress[]): void {
    this.config = { ...this.config, peers };
  }

  async start(): Promise<{ port: number }> {
    await this.refreshRemotes();
    const tlsOptions = this.deps.tls?.() ?? null;
    this.peerTls = tlsOptions ? clientTlsFromServer(tlsOptions) : null;
    this.listener = new DimseListener({
      ...(tlsOptions ? { tls: tlsOptions } : {}),
      ...(this.config.limits ? { limits: this.config.limits } : {}),
      aeTitle: this.config.aeTitle,
      host: this.config.host,
      port: this.config.port,
      otherAeTitles: () => this.otherAeTitles(),
      logger: this.deps.log,
      handlers: {
        admit: (a) => this.admit(a.callingAeTitle, a.remoteHost),
        onNAction: (req, reporter) => this.deps.onNAction(req, reporter),
        onEventReport: (r) => this.deps.takeReport(r),
      },
    });
    return this.listener.start();
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

  /** The configured peer with this AE title (where its reports go), if any. */
  peer(aeTitle: string): AeAddress | undefined {
    return this.config.peers.find((p) => p.aeTitle === aeTitle);
  }

  get reportTimeoutMs(): number {
    return this.config.reportTimeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS;
  }

  /** Sends a report on a new association to `peer`, as `callingAeTitle` (the AE the N-ACTION called). */
  async sendReport(peer: AeAddress, callingAeTitle: string, report: CommitmentReportContent): Promise<ReportSent> {
    const { status } = await sendCommitmentReport({
      callingAeTitle,
      called: this.peerTls ? { ...peer, tls: this.peerTls } : peer,
      timeoutMs: this.reportTimeoutMs,
      report,
      ...(this.deps.log ? { logger: this.deps.log } : {}),
    });
    return { status, how: `a new association to ${peer.aeTitle}@${peer.host}:${peer.port}` };
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
    this.listener = null;
  }
}

function sameHost(configured: string, actual: string): boolean {
  const norm = (h: string) => (h === 'localhost' || h === '::1' ? '127.0.0.1' : h.replace(/^::ffff:/, ''));
  return norm(configured) === norm(actual);
}
