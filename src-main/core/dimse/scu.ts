/**
 * Safekeep as association requestor: C-ECHO, Storage Commitment N-ACTION (commitment SCU),
 * and the N-EVENT-REPORT on a new association (commitment SCP reporting back).
 *
 * Statuses are returned as data. A DimseError is thrown only when the association itself
 * fails: 'connect-failed', 'rejected', 'aborted', 'timeout', 'protocol'.
 */
import { nActionElements, readEventReport, reportElements, reportEventType } from './commitment-data';
import { Dataset, requests } from './lib';
import { makeEventReportResponse } from './association-words';
import { RequestorAssociation } from './requestor';
import {
  ACTION_TYPE_REQUEST_COMMITMENT,
  DIMSE_STATUS,
  STORAGE_COMMITMENT_PUSH_MODEL_SOP_CLASS as PUSH_MODEL,
  STORAGE_COMMITMENT_PUSH_MODEL_SOP_INSTANCE as PUSH_MODEL_INSTANCE,
  VERIFICATION_SOP_CLASS,
  DimseError,
  describeStatus,
  type AeAddress,
  type CommitmentReport,
  type CommitmentReportContent,
  type InstanceRef,
} from './types';

export type DimseLogger = (msg: string) => void;

/** Release gets its own small budget: its failure never changes the outcome. */
const RELEASE_TIMEOUT_MS = 5_000;

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}

function sleep(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** C-ECHO. Resolves with the C-ECHO-RSP status (0000H = success). */
export async function echo(o: {
  callingAeTitle: string;
  called: AeAddress;
  timeoutMs: number;
}): Promise<{ status: number }> {
  const deadline = Date.now() + o.timeoutMs;
  const a = await RequestorAssociation.open({
    callingAeTitle: o.callingAeTitle,
    called: o.called,
    contexts: [{ abstractSyntax: VERIFICATION_SOP_CLASS }],
    timeoutMs: o.timeoutMs,
  });
  try {
    const rsp = await a.request(new requests.CEchoRequest(), VERIFICATION_SOP_CLASS, remaining(deadline));
    return { status: rsp.getStatus() };
  } finally {
    await a.release(Math.min(RELEASE_TIMEOUT_MS, o.timeoutMs));
  }
}

export interface SendCommitmentRequestOptions {
  callingAeTitle: string;
  called: AeAddress;
  /** Deadline for connect + association + N-ACTION-RSP. */
  timeoutMs: number;
  transactionUid: string;
  instances: InstanceRef[];
  /** how long to keep the association open after the N-ACTION-RSP waiting for a report on it (0 = release at once) */
  waitForReportMs: number;
  /** called for a report that arrives on this association; returns the N-EVENT-REPORT-RSP status to answer */
  onReport: (r: CommitmentReport) => Promise<number>;
  /** Stops the wait for a report on this association early (the report came on a new association). */
  reportElsewhere?: Promise<unknown>;
  logger?: DimseLogger;
}

/**
 * Storage Commitment request (N-ACTION, Action Type 1). Proposes the Push Model context with
 * role selection SCU+SCP so the performer may report on this same association.
 *
 * The report may be handled (onReport called) before this function sees the N-ACTION-RSP,
 * and a report on a *new* association (to the DimseListener) may even arrive before this
 * function resolves: register the transaction as pending before calling it.
 *
 * A non-zero N-ACTION-RSP status is returned as data; the Transaction UID is then spent
 * (PS3.4 §J.3.2.1.4) and must not be reused.
 */
export async function sendCommitmentRequest(o: SendCommitmentRequestOptions): Promise<{ status: number; reportReceived: boolean }> {
  const deadline = Date.now() + o.timeoutMs;
  const log = o.logger ?? (() => {});
  const a = await RequestorAssociation.open({
    callingAeTitle: o.callingAeTitle,
    called: o.called,
    contexts: [{ abstractSyntax: PUSH_MODEL, scuRole: true, scpRole: true }],
    timeoutMs: o.timeoutMs,
    idleMs: o.waitForReportMs,
  });

  let reportReceived = false;
  const inFlight = new Set<Promise<void>>();
  let signalReport: () => void = () => {};
  const reportArrived = new Promise<void>((resolve) => {
    signalReport = resolve;
  });

  a.onEventReport = (request, respond) => {
    const task = (async () => {
      const read = readEventReport(request, { callingAeTitle: o.called.aeTitle, sameAssociation: true });
      let status: number;
      if (!read.ok) {
        status = read.status;
        log(`N-EVENT-REPORT from ${o.called.aeTitle} on the N-ACTION association refused (${describeStatus(status)}): ${read.problem}`);
      } else {
        try {
          status = await o.onReport(read.value);
        } catch (err) {
          status = DIMSE_STATUS.ProcessingFailure;
          log(`report handler failed for transaction ${read.value.transactionUid}: ${(err as Error).message}`);
        }
      }
      respond(makeEventReportResponse(request, status));
      if (read.ok && read.value.transactionUid === o.transactionUid) {
        reportReceived = true;
        signalReport();
      }
    })();
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };

  try {
    const pc = a.acceptedContext(PUSH_MODEL);
    if (pc && pc.scpRole !== true) {
      log(`${o.called.aeTitle} did not accept the SCP role for us on the N-ACTION association; expect the report on a new association`);
    }
    const req = new requests.NActionRequest(PUSH_MODEL, PUSH_MODEL_INSTANCE, ACTION_TYPE_REQUEST_COMMITMENT);
    req.setDataset(new Dataset(nActionElements(o.transactionUid, o.instances)));
    const rsp = await a.request(req, PUSH_MODEL, remaining(deadline)).catch((e: unknown) => {
      // Past this point the N-ACTION may have reached the archive: its Transaction UID is spent.
      if (e instanceof DimseError && a.acceptedContext(PUSH_MODEL)) e.requestSent = true;
      throw e;
    });
    const status = rsp.getStatus();
    if (status !== DIMSE_STATUS.Success) {
      log(`N-ACTION-RSP from ${o.called.aeTitle}: ${describeStatus(status)}${rsp.getErrorComment() ? ` (${rsp.getErrorComment()})` : ''}`);
    }

    if (status === DIMSE_STATUS.Success && o.waitForReportMs > 0 && !reportReceived && a.isOpen) {
      const wait = sleep(o.waitForReportMs);
      let offEnd: () => void = () => {};
      const ended = new Promise<void>((resolve) => {
        offEnd = a.onEnd(() => resolve());
      });
      await Promise.race([reportArrived, wait.promise, ended, ...(o.reportElsewhere ? [o.reportElsewhere] : [])]);
      wait.cancel();
      offEnd();
    }
    // A report being handled must get its N-EVENT-REPORT-RSP before the release.
    if (inFlight.size > 0) {
      const wait = sleep(remaining(Math.max(deadline, Date.now() + RELEASE_TIMEOUT_MS)));
      await Promise.race([Promise.allSettled([...inFlight]), wait.promise]);
      wait.cancel();
    }
    return { status, reportReceived };
  } finally {
    // onEventReport stays set: a report that crosses our A-RELEASE-RQ is still answered by onReport.
    await a.release(Math.min(RELEASE_TIMEOUT_MS, o.timeoutMs));
  }
}

/**
 * N-EVENT-REPORT on a new association (Safekeep as commitment SCP reporting back): proposes
 * the Push Model context with SCP role (SCU-role 0, SCP-role 1). Event Type 1 when nothing
 * failed, else 2; empty sequences are left out. Resolves with the N-EVENT-REPORT-RSP status.
 */
export async function sendCommitmentReport(o: {
  callingAeTitle: string;
  called: AeAddress;
  timeoutMs: number;
  report: CommitmentReportContent;
  logger?: DimseLogger;
}): Promise<{ status: number }> {
  const deadline = Date.now() + o.timeoutMs;
  const log = o.logger ?? (() => {});
  const a = await RequestorAssociation.open({
    callingAeTitle: o.callingAeTitle,
    called: o.called,
    contexts: [{ abstractSyntax: PUSH_MODEL, scuRole: false, scpRole: true }],
    timeoutMs: o.timeoutMs,
  });
  try {
    const pc = a.acceptedContext(PUSH_MODEL);
    if (pc && pc.scpRole !== true) {
      // Strictly the acceptor refused our SCP role; many implementations accept the report anyway.
      log(`${o.called.aeTitle} accepted the Push Model context without granting the SCP role (role item: ${pc.scpRole === undefined ? 'absent' : 'SCP-role 0'}); sending the report anyway`);
    }
    const req = new requests.NEventReportRequest(PUSH_MODEL, PUSH_MODEL_INSTANCE, reportEventType(o.report));
    req.setDataset(new Dataset(reportElements(o.report)));
    const rsp = await a.request(req, PUSH_MODEL, remaining(deadline));
    return { status: rsp.getStatus() };
  } finally {
    await a.release(Math.min(RELEASE_TIMEOUT_MS, o.timeoutMs));
  }
}
