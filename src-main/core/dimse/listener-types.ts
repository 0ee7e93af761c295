import type tls from 'node:tls';
/** The types of the DICOM listener's interface (listener.ts). */
import type { ConnectionRefusal, ListenerLimits } from './pdu-guard';
import type { CommitmentReport, CommitmentReportContent, NActionRequestData } from './types';

export interface SameAssociationReporter {
  /**
   * Sends the N-EVENT-REPORT on the association that carried the N-ACTION, once its
   * N-ACTION-RSP has gone out. Resolves with the peer's N-EVENT-REPORT-RSP status, or null
   * when the association is gone (released, aborted, closed) or did not answer within
   * timeoutMs: then send it on a new association (sendCommitmentReport).
   */
  sendReportIfOpen(report: CommitmentReportContent, timeoutMs: number): Promise<{ status: number } | null>;
}

export interface ListenerHandlers {
  /** association admission: return null to accept, or a reason string to reject (calling AE title not recognized). */
  admit(a: { callingAeTitle: string; calledAeTitle: string; remoteHost: string }): string | null;
  /** N-ACTION Storage Commitment request (already validated). Return the N-ACTION-RSP status. */
  onNAction(req: NActionRequestData, assoc: SameAssociationReporter): Promise<number>;
  /** N-EVENT-REPORT received on a new association (Safekeep was the commitment SCU). Return the status. */
  onEventReport(r: CommitmentReport): Promise<number>;
}

export interface DimseListenerOptions {
  aeTitle: string;
  /** Other called AE titles accepted (the calling AE titles Safekeep uses toward archives: their reports are addressed to them). */
  otherAeTitles?: () => readonly string[];
  host: string;
  /** 0 = ephemeral; start() returns the real port. */
  port: number;
  handlers: ListenerHandlers;
  logger?: (msg: string) => void;
  /** An association with no PDU for this long is aborted (default 60 s). */
  idleTimeoutMs?: number;
  /** PDU lengths, ARTIM, concurrent associations (pdu-guard.ts; defaults there). */
  limits?: Partial<ListenerLimits>;
  /** Every connection refused or cut by those limits (besides the warning logged). */
  onRefused?: (r: ConnectionRefusal) => void;
  /** DICOM TLS only (core/tls/profile.ts serverTlsOptions); a connection that does not complete the handshake never reaches the library. */
  tls?: tls.TlsOptions;
}
