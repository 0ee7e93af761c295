import type { CommitmentReport } from './types';

/** How many spent probe UIDs are remembered, so a late probe report is still recognised. */
const REMEMBERED = 1000;

/**
 * The Transaction UIDs of a remote's Test (an N-ACTION for a made-up instance). Their
 * N-EVENT-REPORTs are consulted here before anything else, so that they never complete an
 * outgoing request nor land among the unmatched reports, even when they come late.
 */
export class ReportProbes {
  private readonly waiting = new Map<string, (r: CommitmentReport) => void>();
  private readonly spent = new Set<string>();

  /** Registers a probe before its N-ACTION is sent (the report may come before the N-ACTION-RSP). */
  expect(transactionUid: string): { report: Promise<CommitmentReport>; done(): void } {
    let resolve!: (r: CommitmentReport) => void;
    const report = new Promise<CommitmentReport>((r) => {
      resolve = r;
    });
    this.waiting.set(transactionUid, resolve);
    return {
      report,
      done: () => {
        this.waiting.delete(transactionUid);
        this.spent.add(transactionUid);
        if (this.spent.size > REMEMBERED) this.spent.delete(this.spent.values().next().value!);
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
