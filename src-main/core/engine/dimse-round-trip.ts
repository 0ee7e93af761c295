/**
 * A DIMSE remote's Test: the whole storage commitment round trip, not only a C-ECHO. An
 * archive may answer C-ECHO and still abort every N-ACTION (it does not know Safekeep's AE
 * title), or accept it and never report back (it cannot reach Safekeep's listener).
 */
import { knownAeHint, listenerAddress, listenerProblem, type DimseListenerState } from '../../../src-shared/dimse';
import { hex4 } from '../../../src-shared/dicom/failure-reasons';
import type { DimseRemoteConfig } from '../../../src-shared/remotes';
import type { ReportProbes } from '../dimse/report-probes';
import { echo, sendCommitmentRequest } from '../dimse/scu';
import { dimseAddressOf } from '../dimse/dimse-address';
import { DimseError, describeStatus, type AeAddress, type CommitmentReport } from '../dimse/types';
import type { Scheduler, Timer } from '../scheduler';
import { associationFix } from './dimse-text';
import { newTransactionUid, newUuidUid } from './transaction-uid';

/** Secondary Capture Image Storage: any SOP Class will do for an instance that does not exist. */
const PROBE_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7';
const NO_SUCH_OBJECT_INSTANCE = 0x0112;
/** How long an N-ACTION association stays open for a report on it: archives that report there do it at once. */
export const SAME_ASSOCIATION_REPORT_WAIT_MS = 1000;

export interface RoundTripDeps {
  listener: () => DimseListenerState;
  /** Makes the listener admit the archive's report association (it reads the remotes ahead). */
  knowRemotes: () => Promise<void>;
  probes: ReportProbes;
  /** Where a report on the N-ACTION association goes (the core's intake, which asks the probes first). */
  onReport: (r: CommitmentReport) => Promise<number>;
  scheduler: Scheduler;
}

type TestResult = { ok: boolean; message: string };

/**
 * C-ECHO, then an N-ACTION for one made-up SOP Instance (fresh Transaction UID) whose
 * N-EVENT-REPORT must come back to Safekeep's listener (or on the same association) with a
 * failure, within the remote's timeout.
 */
export async function dimseRoundTrip(c: DimseRemoteConfig, deps: RoundTripDeps): Promise<TestResult> {
  const where = `${c.aeTitle}@${c.host}:${c.port}${c.tls ? ' (DICOM TLS)' : ''}`;
  const timeoutMs = c.timeoutSeconds * 1000;
  const listener = deps.listener();
  const problem = listenerProblem(listener, c.host);
  if (problem) return { ok: false, message: problem };
  const fix = (e: unknown) => (e instanceof DimseError ? associationFix(e, c, listener) : null);

  let called: AeAddress;
  try {
    called = dimseAddressOf(c);
  } catch (e) {
    return { ok: false, message: `DICOM TLS toward ${where}: ${(e as Error).message}` };
  }
  try {
    const { status } = await echo({ callingAeTitle: c.callingAeTitle, called, timeoutMs });
    if (status !== 0) return { ok: false, message: `C-ECHO to ${where} answered ${describeStatus(status)}` };
  } catch (e) {
    const hint = fix(e);
    return { ok: false, message: `C-ECHO to ${where} as ${c.callingAeTitle} failed: ${(e as Error).message}${hint ? `; ${hint}` : ''}` };
  }

  const transactionUid = newTransactionUid();
  const instance = { sopClassUid: PROBE_SOP_CLASS, sopInstanceUid: newUuidUid() };
  const probe = deps.probes.expect(transactionUid);
  await deps.knowRemotes();
  const { scheduler } = deps;
  const started = scheduler.now();
  try {
    let status: number;
    try {
      ({ status } = await sendCommitmentRequest({
        callingAeTitle: c.callingAeTitle,
        called,
        timeoutMs,
        transactionUid,
        instances: [instance],
        waitForReportMs: SAME_ASSOCIATION_REPORT_WAIT_MS,
        onReport: deps.onReport,
        reportElsewhere: probe.report,
      }));
    } catch (e) {
      const hint = fix(e);
      return { ok: false, message: `C-ECHO passed, but the test N-ACTION to ${where} failed: ${(e as Error).message}${hint ? `; ${hint}` : ''}` };
    }
    if (status !== 0) return { ok: false, message: `C-ECHO passed, but ${c.aeTitle} refused the test N-ACTION: ${describeStatus(status)}` };

    let timer: Timer | undefined;
    const left = Math.max(1, started + timeoutMs - scheduler.now());
    const report = await Promise.race([probe.report, new Promise<null>((resolve) => (timer = scheduler.setTimer(left, () => resolve(null), { unref: true })))]);
    timer?.cancel();
    if (!report) {
      return {
        ok: false,
        message: `${c.aeTitle} accepted the test N-ACTION but sent no N-EVENT-REPORT within ${c.timeoutSeconds} s: ${knownAeHint(listener, c.callingAeTitle)}, and it must be able to reach it`,
      };
    }
    return judge(report, instance.sopInstanceUid, { where, ms: scheduler.now() - started, via: report.sameAssociation ? 'the N-ACTION association' : `a new association to ${listenerAddress(listener, c.callingAeTitle)}` });
  } finally {
    probe.done();
  }
}

function judge(report: CommitmentReport, uid: string, o: { where: string; ms: number; via: string }): TestResult {
  if (report.committed.some((i) => i.sopInstanceUid === uid)) {
    return { ok: false, message: `${o.where} reported a made-up instance as committed: its storage commitment answers cannot be trusted` };
  }
  const failed = report.failed.find((i) => i.sopInstanceUid === uid);
  if (!failed) return { ok: false, message: `${o.where} sent an N-EVENT-REPORT that does not name the test instance` };
  const reason = failed.failureReason === NO_SUCH_OBJECT_INSTANCE ? '0112H (no such object instance), as expected' : `${hex4(failed.failureReason)} for it`;
  return {
    ok: true,
    message: `C-ECHO and storage commitment round trip with ${o.where}: the N-EVENT-REPORT for a made-up instance came back on ${o.via} in ${o.ms} ms with ${reason}`,
  };
}
