import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseCommitmentRequest } from '../../src-main/core/codec/request-json';
import { buildCommitmentResponse } from '../../src-main/core/codec/response-json';

/**
 * A DICOMweb commitment service that keeps nothing (an http/https request listener): every instance asked
 * about comes back failed with 0112H, as a remote's Test expects for its made-up instance.
 */
export function keepsNothing(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const asked = parseCommitmentRequest(JSON.parse(body)).instances;
    res.writeHead(200, { 'content-type': 'application/dicom+json' });
    res.end(JSON.stringify(buildCommitmentResponse({ committed: [], failed: asked.map((i) => ({ ...i, failureReason: 0x0112 })) })));
  });
}

/** `keepsNothing` over HTTPS on a loopback port; `onRequest` sees each request first (e.g. its client certificate). */
export async function httpsKeepsNothing(options: https.ServerOptions, onRequest?: (req: IncomingMessage) => void): Promise<{ url: string; close(): void }> {
  const server = https.createServer(options, (req, res) => {
    onRequest?.(req);
    keepsNothing(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/dicomweb`, close: () => server.close() };
}
