import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { log } from '../log';

/** udp://host:port (RFC 5426) or tls://host:port (RFC 5425), with the collector's CA for TLS. */
export interface SyslogTarget {
  url: string;
  ca?: string | Buffer;
}

const OUTBOX = 'syslog-outbox.log';
const OFFSET = 'syslog-outbox.offset';

/**
 * RFC 5424 with the DICOM conventions (PS3.15 A.5): facility 10 (security), severity 5 (notice),
 * MSGID "DICOM+RFC3881", the audit message as UTF-8 (with its BOM) after the header.
 */
export function syslogLine(time: string, xml: string): string {
  return `<85>1 ${time} ${os.hostname() || '-'} safekeep ${process.pid} DICOM+RFC3881 - \uFEFF${xml}`;
}

/**
 * Sends queued syslog messages to the collector in order. The queue is a file (one message a line) and the
 * offset sent so far, both in the audit folder: messages recorded while the collector is away, or before a
 * restart, go out when it is back. Never blocks the caller.
 */
export class SyslogForwarder {
  private readonly outbox: string;
  private readonly offsetFile: string;
  private readonly url: URL;
  private socket: tls.TLSSocket | dgram.Socket | null = null;
  private running = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = 500;
  private idle: (() => void)[] = [];

  constructor(
    dir: string,
    private readonly target: SyslogTarget,
  ) {
    this.outbox = path.join(dir, OUTBOX);
    this.offsetFile = path.join(dir, OFFSET);
    this.url = new URL(target.url);
    if (this.url.protocol !== 'udp:' && this.url.protocol !== 'tls:') throw new Error(`Unsupported syslog collector ${target.url}: use udp://host:port or tls://host:port`);
    queueMicrotask(() => this.kick()); // what an earlier run left queued
  }

  enqueue(line: string): void {
    fs.appendFileSync(this.outbox, `${line}\n`, { mode: 0o600 });
    this.kick();
  }

  /** Messages not sent yet. */
  pending(): number {
    return this.unsent().length;
  }

  /** Resolves when the queue is empty (tests). */
  drained(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Gives the queue a moment to go out (the stop message), then stops; what is left is sent at the next start. */
  async close(graceMs = 2000): Promise<void> {
    if (!this.closed && !this.retryTimer && this.pending() > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.drained(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.dropSocket();
  }

  private kick(): void {
    if (this.running || this.closed || this.retryTimer) return;
    this.running = true;
    void this.flush().finally(() => (this.running = false));
  }

  private async flush(): Promise<void> {
    for (;;) {
      const lines = this.unsent();
      if (lines.length === 0) {
        // Everything sent: start the queue afresh (nothing is appended between these synchronous steps).
        fs.writeFileSync(this.outbox, '');
        fs.writeFileSync(this.offsetFile, '0');
        for (const resolve of this.idle.splice(0)) resolve();
        return;
      }
      let offset = this.offset();
      try {
        for (const line of lines) {
          await this.send(line);
          offset += Buffer.byteLength(line) + 1;
          fs.writeFileSync(this.offsetFile, String(offset));
        }
        this.retryMs = 500;
      } catch (e) {
        log('audit').warn(`syslog collector ${this.url.host} unavailable (${(e as Error).message}); ${this.pending()} message(s) queued`);
        this.dropSocket();
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.kick();
        }, this.retryMs);
        this.retryTimer.unref();
        this.retryMs = Math.min(this.retryMs * 2, 30_000);
        return;
      }
    }
  }

  private offset(): number {
    try {
      return Number(fs.readFileSync(this.offsetFile, 'utf8')) || 0;
    } catch {
      return 0;
    }
  }

  private unsent(): string[] {
    if (!fs.existsSync(this.outbox)) return [];
    const text = fs.readFileSync(this.outbox).subarray(this.offset()).toString('utf8');
    return text.split('\n').filter((l) => l.length > 0);
  }

  private async send(line: string): Promise<void> {
    const port = Number(this.url.port) || (this.url.protocol === 'tls:' ? 6514 : 514);
    const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (this.url.protocol === 'udp:') {
      const socket = (this.socket ??= dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4').unref()) as dgram.Socket;
      await new Promise<void>((resolve, reject) => socket.send(Buffer.from(line), port, host, (e) => (e ? reject(e) : resolve())));
      return;
    }
    const socket = (this.socket ??= await connectTls(host, port, this.target.ca)) as tls.TLSSocket;
    // RFC 5425 octet-counting framing.
    const msg = Buffer.from(line);
    await new Promise<void>((resolve, reject) => {
      if (socket.destroyed) return reject(new Error('connection closed'));
      socket.write(Buffer.concat([Buffer.from(`${msg.length} `), msg]), (e) => (e ? reject(e) : resolve()));
    });
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    if (s instanceof tls.TLSSocket) s.destroy();
    else s?.close();
  }
}

function connectTls(host: string, port: number, ca: string | Buffer | undefined): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, ca, servername: /^[\d.]+$|:/.test(host) ? undefined : host, minVersion: 'TLSv1.2' }, () => resolve(socket));
    socket.setTimeout(10_000, () => socket.destroy(new Error('timed out')));
    socket.once('error', reject);
    socket.on('error', () => {}); // later errors surface on the next write
    socket.unref();
  });
}
