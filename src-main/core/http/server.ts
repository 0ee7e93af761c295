import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { AppError } from '../../../src-shared/contract/errors';

export interface RunningHttpServer {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on host:port (port 0 = a free one); a port in use is a clear AppError, not a crash. With `tls`
 * (core/tls/profile.ts) it speaks HTTPS only: a plain HTTP request gets no answer but a failed handshake.
 */
export function listenHttp(app: Hono<any>, host: string, port: number, tlsOptions?: tls.TlsOptions): Promise<RunningHttpServer> {
  const server = (
    tlsOptions ? createAdaptorServer({ fetch: app.fetch, createServer: https.createServer, serverOptions: tlsOptions }) : createAdaptorServer({ fetch: app.fetch })
  ) as Server;
  // Long polls and large bodies are normal here; idle sockets are still reaped.
  server.requestTimeout = 10 * 60 * 1000;
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new AppError('unavailable', `Port ${port} on ${host} is already in use`, { detail: 'Choose another --port, or 0 for a free one' })
          : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND'
            ? new AppError('bad-request', `Cannot listen on ${host}: address not available`)
            : e.code === 'EACCES'
              ? new AppError('forbidden', `Not allowed to listen on ${host}:${port}`)
              : e,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        host: addr.address,
        port: addr.port,
        url: `${tlsOptions ? 'https' : 'http'}://${shownHost}:${addr.port}`,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}
