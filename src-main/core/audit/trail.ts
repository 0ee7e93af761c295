import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../scheduler';
import type { AuditEntry } from '../../../src-shared/audit';
import { log } from '../log';
import { AUDIT_FILE } from './files';
import { listAudit } from './read';
import { auditSourceId, toAuditXml, type AuditEvent } from './message';
import { SyslogForwarder, syslogLine, type SyslogTarget } from './syslog';

export interface AuditOptions {
  /** The audit folder (in the data folder). */
  dir: string;
  clock: Clock;
  /** The file is rotated past this size (audit.log -> audit.1.log -> ...). */
  maxFileBytes?: number;
  /** Rotated files kept besides the current one. */
  keepFiles?: number;
  /** A syslog collector (RFC 5424 over UDP or TLS) every message is also sent to. */
  syslog?: SyslogTarget | null;
}

/**
 * The audit trail: each security-relevant event becomes a DICOM Audit Message (PS3.15 A.5), appended as one line
 * to a rotating file in the data folder and, when configured, queued on disk for a syslog collector (a collector
 * that is away never blocks the work: the queue is sent when it returns). Recording never throws.
 */
export class AuditTrail {
  private readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly source = auditSourceId();
  readonly syslog: SyslogForwarder | null;

  constructor(private readonly o: AuditOptions) {
    fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    this.file = path.join(o.dir, AUDIT_FILE);
    this.maxBytes = o.maxFileBytes ?? 10 * 1024 * 1024;
    this.keep = o.keepFiles ?? 9;
    this.syslog = o.syslog ? new SyslogForwarder(o.dir, o.syslog) : null;
  }

  record(e: Omit<AuditEvent, 'time'> & { time?: string }): void {
    try {
      const event: AuditEvent = { ...e, time: e.time ?? new Date(this.o.clock.now()).toISOString() };
      const xml = toAuditXml(event, this.source);
      this.append(`${xml}\n`);
      this.syslog?.enqueue(syslogLine(event.time, xml));
    } catch (err) {
      log('audit').error(`could not record the audit event ${e.event}:`, err);
    }
  }

  /** The app's view (Settings): newest first, filtered. */
  list(o: { since?: number; event?: string; search?: string; limit: number }): AuditEntry[] {
    return listAudit(this.o.dir, o);
  }

  /** Stops sending to the collector (what is queued stays on disk for the next start). */
  close(): Promise<void> {
    return this.syslog?.close() ?? Promise.resolve();
  }

  private append(line: string): void {
    const size = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
    if (size > 0 && size + Buffer.byteLength(line) > this.maxBytes) this.rotate();
    fs.appendFileSync(this.file, line, { mode: 0o600 });
  }

  private rotate(): void {
    const name = (i: number) => path.join(this.o.dir, i === 0 ? AUDIT_FILE : `audit.${i}.log`);
    fs.rmSync(name(this.keep), { force: true });
    for (let i = this.keep - 1; i >= 0; i--) if (fs.existsSync(name(i))) fs.renameSync(name(i), name(i + 1));
  }
}
