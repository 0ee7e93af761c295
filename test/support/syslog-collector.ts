import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** An RFC 5424 message with the DICOM audit conventions (PS3.15 A.5): facility 10, severity 5, MSGID DICOM+RFC3881. */
export const DICOM_SYSLOG = /^<85>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ safekeep \d+ DICOM\+RFC3881 - \uFEFF<AuditMessage>.*<\/AuditMessage>$/;

export interface UdpCollector {
  url: string;
  messages: string[];
  /** Resolves once `n` messages arrived (rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<string[]>;
  close(): void;
}

/** A syslog collector on a loopback UDP port (RFC 5426: one message a datagram). */
export async function udpCollector(): Promise<UdpCollector> {
  const socket = dgram.createSocket('udp4');
  const messages: string[] = [];
  socket.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    url: `udp://127.0.0.1:${(socket.address() as AddressInfo).port}`,
    messages,
    async waitFor(n, ms = 10_000) {
      const end = Date.now() + ms;
      while (messages.length < n) {
        if (Date.now() > end) throw new Error(`${messages.length} of ${n} syslog messages arrived`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    close: () => socket.close(),
  };
}

/** The originalText of each message's EventTypeCode ("Application Start", "Login", ...). */
export function eventTypes(messages: readonly string[]): (string | undefined)[] {
  return messages.map((m) => /<EventTypeCode [^>]*originalText="([^"]+)"/.exec(m)?.[1]);
}
