import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { parseCommitmentRequest } from '../../src-main/core/codec/request-json';
import { buildCommitmentResponse } from '../../src-main/core/codec/response-json';
import type { RequestedInstance } from '../../src-shared/commitment/model';

export interface Seen {
  method: string;
  uid: string;
  at: number;
  body: string;
  authorization: string | undefined;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer }
  | { drop: true } // close the connection without answering
  | { stall: true }; // never answer

export type Behavior = (req: Seen, ctx: { seen: Seen[]; posted: Map<string, RequestedInstance[]> }) => Reply | Promise<Reply>;

export interface FaultServerOptions {
  /**
   * The SOP Instance UIDs of the test's library. A POST that names none of them (the remote
   * Test asks about one made-up instance) is answered as a real archive would, every instance
   * failed with 0112H, and kept in `probes` instead of reaching the behaviour.
   */
  known?: ReadonlySet<string>;
  /** What `at` is read from: the client's (virtual) time, when the test runs on a scheduler (default: the wall clock). */
  clock?: { now(): number };
}

/**
 * A real HTTP server on loopback that plays a DICOMweb commitment service and
 * misbehaves on purpose, recording every request it gets.
 */
export async function startFaultServer(
  behavior: Behavior,
  options: FaultServerOptions = {},
): Promise<{ url: string; seen: Seen[]; probes: Seen[]; posted: Map<string, RequestedInstance[]>; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const probes: Seen[] = [];
  const posted = new Map<string, RequestedInstance[]>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const uid = (req.url ?? '').split('/').pop() ?? '';
      const s: Seen = { method: req.method ?? '', uid, at: (options.clock ?? Date).now(), body, authorization: req.headers.authorization };
      let asked: RequestedInstance[] | null = null;
      if (s.method === 'POST') {
        try {
          asked = parseCommitmentRequest(JSON.parse(body)).instances;
        } catch {
          /* a test may post garbage on purpose */
        }
      }
      const known = options.known;
      const probe = known !== undefined && asked !== null && asked.length > 0 && asked.every((i) => !known.has(i.sopInstanceUid));
      if (probe) probes.push(s);
      else {
        seen.push(s);
        if (asked) posted.set(uid, asked);
      }
      const reply = probe ? answerFor(asked!, () => 0x0112) : await behavior(s, { seen, posted });
      if ('drop' in reply) {
        req.socket.destroy();
        return;
      }
      if ('stall' in reply) return;
      res.writeHead(reply.status, { 'content-type': 'application/dicom+json', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dicomweb`,
    seen,
    probes,
    posted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A 200 answer for what was posted under `uid`: every instance committed unless `failed` gives its reason. */
export function answerFor(instances: RequestedInstance[], failed: (i: RequestedInstance) => number | null = () => null): Reply {
  const committed: RequestedInstance[] = [];
  const failures: (RequestedInstance & { failureReason: number })[] = [];
  for (const i of instances) {
    const reason = failed(i);
    if (reason === null) committed.push(i);
    else failures.push({ ...i, failureReason: reason });
  }
  return { status: 200, body: JSON.stringify(buildCommitmentResponse({ committed, failed: failures })) };
}
