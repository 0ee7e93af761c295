/**
 * Typed errors of the studies services (STOW-RS, QIDO-RS, WADO-RS). A request that got no
 * HTTP answer at all stays a TransportError (dicomweb-client.ts).
 */
import type { BinaryAnswer } from './dicomweb-client';

export type StudiesService = 'STOW-RS' | 'QIDO-RS' | 'WADO-RS';

/** PS3.18 §8.5 and the common HTTP meanings, for messages. */
const STATUS_WORDS: Record<number, string> = {
  200: 'OK',
  202: 'Accepted',
  204: 'No Content',
  206: 'Partial Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusWords(status: number): string {
  return `HTTP ${status}${STATUS_WORDS[status] ? ` ${STATUS_WORDS[status]}` : ''}`;
}

const MAX_EXPLANATION = 300;

/**
 * What the archive said about an error, in its own words: the Warning header (PS3.18 §8.6,
 * "299 {service}: text"), a JSON error body (Orthanc: Message / Details), or the start of a text body.
 */
export function explanationOf(answer: Pick<BinaryAnswer, 'headers' | 'body'>): string {
  const parts: string[] = [];
  const warning = answer.headers.warning;
  if (warning) parts.push(warning.replace(/^\s*\d{3}\s+\S+\s*:?\s*/, '').replace(/^"|"$/g, ''));
  const text = answer.body.subarray(0, 64 * 1024).toString('utf8').trim();
  if (text) {
    let fromJson: string | null = null;
    try {
      const v = JSON.parse(text) as Record<string, unknown>;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const bits = ['Message', 'message', 'Details', 'details', 'error', 'error_description']
          .map((k) => v[k])
          .filter((x): x is string => typeof x === 'string' && x.length > 0);
        if (bits.length > 0) fromJson = [...new Set(bits)].join(': ');
      }
    } catch {
      /* not JSON */
    }
    if (fromJson) parts.push(fromJson);
    else if (!/^[[{<]/.test(text) && /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(text)) parts.push(text.replace(/\s+/g, ' '));
  }
  const joined = [...new Set(parts)].join(' — ');
  return joined.length > MAX_EXPLANATION ? `${joined.slice(0, MAX_EXPLANATION - 1)}…` : joined;
}

/** The archive answered with an HTTP error status. */
export class DicomwebHttpError extends Error {
  constructor(
    readonly service: StudiesService,
    readonly url: string,
    readonly status: number,
    /** The archive's explanation, '' when it gave none. */
    readonly explanation: string,
  ) {
    super(`${service} ${statusWords(status)} from ${url}${explanation ? `: ${explanation}` : ''}`);
    this.name = 'DicomwebHttpError';
  }

  static of(service: StudiesService, url: string, answer: BinaryAnswer): DicomwebHttpError {
    return new DicomwebHttpError(service, url, answer.status, explanationOf(answer));
  }
}

/** The archive answered with a success status but the body is not what the service defines (garbage). */
export class DicomwebAnswerError extends Error {
  constructor(
    readonly service: StudiesService,
    readonly url: string,
    readonly status: number,
    /** What is wrong with the answer, in words. */
    readonly problem: string,
  ) {
    super(`${service} answer from ${url} (${statusWords(status)}) is not usable: ${problem}`);
    this.name = 'DicomwebAnswerError';
  }
}

/** The first bytes of a body, printable, for error messages about garbage. */
export function bodyExcerpt(body: Buffer, max = 60): string {
  if (body.length === 0) return 'an empty body';
  const text = body.subarray(0, max).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `"${text}${body.length > max ? '…' : ''}" (${body.length} bytes)`;
}

/** "multipart/related" from 'multipart/related; type="application/dicom"; boundary=x', lower case. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A parameter of a Content-Type header (quoted or not), or null. */
export function mediaTypeParameter(contentType: string | undefined, name: string): string | null {
  const params = (contentType ?? '').split(';').slice(1);
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() !== name) continue;
    const v = p.slice(eq + 1).trim();
    return v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1) : v;
  }
  return null;
}
