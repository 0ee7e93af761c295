import { AppError } from '../../../../src-shared/contract/errors';

/** Where one part's bytes go; write() is awaited before more is read (back-pressure to the socket). */
export interface PartSink {
  write(bytes: Buffer): Promise<void>;
  end(): Promise<void>;
}

export interface PartHeaders {
  /** The form field name. */
  name: string | null;
  /** The file name as sent (a relative path for dropped folders); null for a plain field. */
  filename: string | null;
}

const MAX_HEADER_BYTES = 16 * 1024;
const MAX_PREAMBLE_BYTES = 64 * 1024;

/**
 * A multipart/form-data body parsed as it arrives: each part's content is handed to its sink in pieces,
 * so a body of any size takes a few buffers of memory (the parser of @remix-run/multipart-parser, a
 * dependency already, keeps each whole part in memory). A malformed body is an AppError 400.
 */
export async function parseMultipartStream(
  source: AsyncIterable<Uint8Array>,
  boundary: string,
  onPart: (headers: PartHeaders) => Promise<PartSink>,
): Promise<void> {
  // The body starts with "--boundary"; every later one is preceded by CRLF: start with a CRLF so all match.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let buf = Buffer.from('\r\n');
  let state = 'preamble' as 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';
  let sink: PartSink | null = null;
  let skipped = 0;

  const step = async (): Promise<boolean> => {
    switch (state) {
      case 'preamble': {
        const i = buf.indexOf(delimiter);
        if (i < 0) {
          const keep = Math.max(0, buf.length - delimiter.length + 1);
          skipped += keep;
          if (skipped > MAX_PREAMBLE_BYTES) throw malformed('no opening boundary');
          buf = buf.subarray(keep);
          return false;
        }
        buf = buf.subarray(i + delimiter.length);
        state = 'after-delimiter';
        return true;
      }
      case 'after-delimiter': {
        if (buf.length < 2) return false;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = 'done';
          return false;
        }
        // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
        const crlf = buf.indexOf('\r\n');
        if (crlf < 0) {
          if (buf.length > 256) throw malformed('a boundary is not followed by a line break');
          return false;
        }
        if (!/^[ \t]*$/.test(buf.subarray(0, crlf).toString('latin1'))) throw malformed('a boundary is followed by data');
        buf = buf.subarray(crlf + 2);
        state = 'headers';
        return true;
      }
      case 'headers': {
        const end = buf.indexOf('\r\n\r\n');
        const emptyHeaders = buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a;
        if (end < 0 && !emptyHeaders) {
          if (buf.length > MAX_HEADER_BYTES) throw malformed('a part header is too long');
          return false;
        }
        const headerEnd = emptyHeaders ? 0 : end;
        sink = await onPart(parsePartHeaders(buf.subarray(0, headerEnd).toString('utf8')));
        buf = buf.subarray(headerEnd + (emptyHeaders ? 2 : 4));
        state = 'body';
        return true;
      }
      case 'body': {
        const i = buf.indexOf(delimiter);
        if (i >= 0) {
          if (i > 0) await sink!.write(buf.subarray(0, i));
          await sink!.end();
          sink = null;
          buf = buf.subarray(i + delimiter.length);
          state = 'after-delimiter';
          return true;
        }
        // Keep what could be the start of a delimiter split across chunks.
        const safe = buf.length - delimiter.length + 1;
        if (safe > 0) {
          await sink!.write(buf.subarray(0, safe));
          buf = buf.subarray(safe);
        }
        return false;
      }
      case 'done':
        return false;
    }
  };

  for await (const chunk of source) {
    if (state === 'done') break; // the epilogue is ignored
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
    while (await step());
  }
  while (await step());
  if (state !== 'done') throw malformed('the body ends before the closing boundary');
}

/** The boundary of a multipart/form-data Content-Type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2])! : null;
}

function parsePartHeaders(text: string): PartHeaders {
  const disposition = text
    .split('\r\n')
    .find((line) => /^content-disposition\s*:/i.test(line))
    ?.replace(/^[^:]*:\s*/, '');
  if (!disposition || !/^form-data\b/i.test(disposition)) throw malformed('a part has no Content-Disposition: form-data');
  return { name: param(disposition, 'name'), filename: extendedParam(disposition, 'filename') ?? param(disposition, 'filename') };
}

function param(header: string, key: string): string | null {
  const m = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(header);
  return m ? (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1') : null;
}

/** RFC 5987 `filename*=UTF-8''...`. */
function extendedParam(header: string, key: string): string | null {
  const m = new RegExp(`;\\s*${key}\\*=UTF-8''([^;\\s]*)`, 'i').exec(header);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    throw malformed(`the ${key}* parameter is not valid percent-encoding`);
  }
}

function malformed(why: string): AppError {
  return new AppError('bad-request', `Malformed multipart body: ${why}`);
}
