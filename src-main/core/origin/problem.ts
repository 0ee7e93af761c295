import type { Context } from 'hono';
import { AppError, toAppError } from '../../../src-shared/contract/errors';
import { hex4 } from '../../../src-shared/dicom/failure-reasons';
import { log } from '../log';

/** Default DICOM status for the Warning header of each HTTP error (PS3.18 §8.5; RFC 7234 §5.5 format). */
const DEFAULT_DICOM_STATUS: Partial<Record<number, number>> = {
  400: 0x0115,
  401: 0x0124,
  403: 0x0124,
  404: 0x0112,
  406: 0xc000,
  409: 0x0131,
  410: 0x0112,
  413: 0xa700,
  415: 0xc000,
  421: 0x0124,
  429: 0xa700,
  500: 0x0110,
  503: 0x0213,
};

/**
 * Every 4xx/5xx answer: a short JSON problem body and a Warning header carrying
 * a DICOM status code and text (spec §11).
 */
export function problemResponse(c: Context, error: unknown): Response {
  const e: AppError = toAppError(error);
  if (e.code === 'internal') log('origin').error('internal error:', error);
  const status = e.httpStatus;
  const dicomStatus = e.dicomStatus ?? DEFAULT_DICOM_STATUS[status] ?? 0xc000;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    Warning: `299 safekeep "${hex4(dicomStatus).slice(0, 4)}: ${warningText(e.message)}"`,
  };
  if (status === 401) headers['WWW-Authenticate'] = 'Bearer realm="safekeep"';
  if (e.retryAfter !== undefined) headers['Retry-After'] = String(e.retryAfter);
  const body: { error: string; detail?: string } = { error: e.message };
  if (e.detail) body.detail = e.detail;
  return c.body(JSON.stringify(body), status as 400, headers);
}

function warningText(s: string): string {
  // A quoted-string may not hold quotes, backslashes or control characters unescaped, and a header value is
  // Latin-1 at most (a full-width digit or a NUL from the request would make the answer itself fail): plain ASCII.
  return s.replace(/["\\]/g, ' ').replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}
