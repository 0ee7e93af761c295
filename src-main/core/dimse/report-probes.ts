import type { Scheduler, Timer } from '../scheduler';
import type { CommitmentReport } from './types';

/** How many spent probe UIDs are remembered, so a late probe report is still recognised. */
const REMEMBERED = 1000;
/** How often a waiting probe looks for its report among those other nodes kept. */
export const PROBE_LOOK_ELSEWHERE_MS = 500;

/**
 * Several nodes behind one AE title: a Test's report may reach another node's listener, which keeps it among the
 * unmatched reports of the shared store (it knows no such probe). The probing node looks there for it.
 */
export interface ProbeReportsElsewhere {
  scheduler: Scheduler;
  /** The report kept for this Transaction UID by any node, or null. */
  find(transactionUid: string): Promise<CommitmentReport | null>;
}

/**
 * The Transaction UIDs of a remote's Test (an N-ACTION for a made-up instance). Their
 * N-EVENT-REPORTs are consulted here before anything else, so that they never complete an
 * outgoing request nor land among the unmatched reports, even when they come late.
 */
export class ReportProbes {
  private readonly waiting = new Map<string, (r: CommitmentReport) => void>();
  private readonly spent = new Set<string>();

  constructor(private readonly elsewhere?: ProbeReportsElsewhere) {}

  /** Registers a probe before its N-ACTION is sent (the report may come before the N-ACTION-RSP). */
  expect(transactionUid: string): { report: Promise<CommitmentReport>; done(): void } {
    let resolve!: (r: CommitmentReport) => void;
    const report = new Promise<CommitmentReport>((r) => {
      resolve = r;
    });
    this.waiting.set(transactionUid, resolve);
    const look = this.lookElsewhere(transactionUid, resolve);
    return {
      report,
      done: () => {
        look.cancel();
        this.waiting.delete(transactionUid);
        this.spent.add(transactionUid);
        if (this.spent.size > REMEMBERED) this.spent.delete(this.spent.values().next().value!);
      },
    };
  }

  /** Looks in the store for the report until `cancel` (none without several nodes' store to look in). */
  private lookElsewhere(transactionUid: string, resolve: (r: CommitmentReport) => void): Timer {
    const e = this.elsewhere;
    if (!e) return { cancel: () => undefined };
    let timer: Timer | null = null;
    let stopped = false;
    const tick = () => {
      timer = null;
      e.find(transactionUid)
        .then((r) => {
          if (r) resolve(r);
          else if (!stopped) timer = e.scheduler.setTimer(PROBE_LOOK_ELSEWHERE_MS, tick, { unref: true });
        })
        .catch(() => {
          if (!stopped) timer = e.scheduler.setTimer(PROBE_LOOK_ELSEWHERE_MS, tick, { unref: true });
        });
    };
    timer = e.scheduler.setTimer(PROBE_LOOK_ELSEWHERE_MS, tick, { unref: true });
    return {
      cancel: () => {
        stopped = true;
        timer?.cancel();
      },
    };
  }

  /** True when the report belongs to a probe (taken here); false for every other report. */
  take(r: CommitmentReport): boolean {
    const resolve = this.waiting.get(r.transactionUid);
    if (resolve) {
      resolve(r);
      return true;
    }
    return this.spent.has(r.transactionUid);
  }
}

/** A report as kept among the unmatched ones (its JSON), checked field by field; null when it is not one. */
export function reportFromPayload(payload: unknown): CommitmentReport | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  const refs = (v: unknown) => Array.isArray(v) && v.every((i) => typeof i === 'object' && i !== null && typeof (i as Record<string, unknown>).sopInstanceUid === 'string');
  if (typeof p.transactionUid !== 'string' || (p.eventTypeId !== 1 && p.eventTypeId !== 2) || !refs(p.committed) || !refs(p.failed)) return null;
  return {
    transactionUid: p.transactionUid,
    eventTypeId: p.eventTypeId,
    committed: p.committed as CommitmentReport['committed'],
    failed: p.failed as CommitmentReport['failed'],
    callingAeTitle: typeof p.callingAeTitle === 'string' ? p.callingAeTitle : '',
    // It reached another node's listener: never the N-ACTION's association.
    sameAssociation: false,
  };
}
