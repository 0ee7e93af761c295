import fs from 'node:fs';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { Agent, request, errors as undiciErrors } from 'undici';
import type { DicomwebRemoteConfig } from '../../../src-shared/remotes';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An answer of the studies services (STOW-RS, QIDO-RS, WADO-RS): the body as bytes, already decoded. */
export interface BinaryAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ExchangeOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A stream is sent as it is read (a STOW-RS body is never held in memory); give its content-length in headers. */
  body?: string | Buffer | Readable;
  /** An answer longer than this is cut off with a TransportError (a garbage server must not fill the memory). */
  maxAnswerBytes?: number;
  /** Cancels the request (Ctrl-C, cancel button); it then fails with a TransportError. */
  signal?: AbortSignal;
}

const DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024 * 1024;

/**
 * A request that got no HTTP answer. `delivered` says whether the archive may
 * have received it: a POST that might have arrived is checked with a GET before
 * anything is sent again.
 */
export class TransportError extends Error {
  constructor(
    readonly kind: 'timeout' | 'refused' | 'tls' | 'dns' | 'reset' | 'other',
    message: string,
    readonly delivered: boolean,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** HTTP to one DICOMweb commitment service: auth, TLS options and timeouts of its remote. */
export class DicomwebClient {
  private readonly agent: Agent;
  private readonly authorization: string | null;

  constructor(
    private readonly config: DicomwebRemoteConfig,
    secret: string | null,
  ) {
    const ca = readTlsFile(config.caFile, 'CA file');
    // Safekeep's client certificate, for an archive that asks for one (hospital PKI).
    const cert = readTlsFile(config.certFile, 'client certificate');
    const key = readTlsFile(config.keyFile, 'client private key');
    this.agent = new Agent({
      connect: { ca, cert, key, rejectUnauthorized: !config.insecureSkipVerify, timeout: config.timeoutSeconds * 1000 },
      keepAliveTimeout: 10_000,
    });
    this.authorization =
      config.auth === 'bearer' && secret
        ? `Bearer ${secret}`
        : config.auth === 'basic' && secret !== null
          ? `Basic ${Buffer.from(`${config.username ?? ''}:${secret}`).toString('base64')}`
          : null;
  }

  url(transactionUid: string): string {
    return `${this.config.baseUrl}/commitment-requests/${transactionUid}`;
  }

  post(transactionUid: string, body: string): Promise<HttpAnswer> {
    return this.send('POST', transactionUid, body);
  }

  get(transactionUid: string): Promise<HttpAnswer> {
    return this.send('GET', transactionUid);
  }

  /**
   * Any request to the remote's studies services, with its auth, TLS options and timeouts.
   * Asks for an uncompressed answer and still decodes gzip/deflate/br if the server compresses.
   */
  async exchange(url: string, o: ExchangeOptions): Promise<BinaryAnswer> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity', ...o.headers };
    if (this.authorization) headers.authorization = this.authorization;
    const timeout = this.config.timeoutSeconds * 1000;
    const max = o.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    try {
      const res = await request(url, {
        method: o.method,
        headers,
        body: o.body,
        signal: o.signal,
        dispatcher: this.agent,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > max) {
          res.body.destroy();
          throw new TransportError('other', `The answer of ${url} is longer than ${max} bytes`, true);
        }
        chunks.push(chunk as Buffer);
      }
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
      return { status: res.statusCode, headers: out, body: decode(Buffer.concat(chunks), out['content-encoding']) };
    } catch (e) {
      if (e instanceof TransportError) throw e;
      throw classify(e, url, false);
    }
  }

  private async send(method: 'GET' | 'POST', transactionUid: string, body?: string): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: 'application/dicom+json' };
    if (body !== undefined) headers['content-type'] = 'application/dicom+json';
    if (this.authorization) headers.authorization = this.authorization;
    const timeout = this.config.timeoutSeconds * 1000;
    let sent = false;
    try {
      const res = await request(this.url(transactionUid), {
        method,
        headers,
        body,
        dispatcher: this.agent,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      sent = true;
      const text = await res.body.text();
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
      return { status: res.statusCode, headers: out, body: text };
    } catch (e) {
      throw classify(e, this.url(transactionUid), sent);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function readTlsFile(file: string | null | undefined, what: string): Buffer | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new TransportError('tls', `Cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, false);
  }
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  const e = (encoding ?? '').trim().toLowerCase();
  try {
    if (e === 'gzip' || e === 'x-gzip') return zlib.gunzipSync(body);
    if (e === 'deflate') return zlib.inflateSync(body);
    if (e === 'br') return zlib.brotliDecompressSync(body);
  } catch (err) {
    throw new TransportError('other', `The answer says Content-Encoding ${e} but cannot be decoded: ${(err as Error).message}`, true);
  }
  return body;
}

function classify(e: unknown, url: string, _answered: boolean): TransportError {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? '';
  const text = err.cause?.message ?? err.message ?? String(e);
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError) {
    return new TransportError('timeout', `No answer from ${url} within the timeout`, true);
  }
  if (e instanceof undiciErrors.ConnectTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new TransportError('timeout', `Could not connect to ${url} within the timeout`, false);
  }
  if (code === 'ECONNREFUSED') return new TransportError('refused', `Connection refused by ${url}`, false);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError('dns', `Host of ${url} not found (${code})`, false);
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code) || /certificate/i.test(text)) {
    return new TransportError('tls', `TLS error with ${url}: ${text}`, false);
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return new TransportError('reset', `The connection to ${url} was closed before an answer`, true);
  }
  // Unknown: assume it may have arrived, so the next step asks (GET) before posting again.
  return new TransportError('other', `Request to ${url} failed: ${text}`, true);
}
