/**
 * The body of a STOW-RS request (PS3.18 §10.5.1): multipart/related; type="application/dicom",
 * one part per Part 10 file, read from disk while it is sent. Only one read buffer per file is in
 * memory at a time, whatever the number or size of the files; the exact length is known up
 * front (from the file sizes), so the request carries a Content-Length and no chunked encoding.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';

export interface BodyFile {
  path: string;
  /** Bytes the file had when it was checked; a file that changes size makes the request fail (not sent). */
  size: number;
}

export interface StowBody {
  contentType: string;
  contentLength: number;
  stream: Readable;
}

const CRLF = '\r\n';
const READ_CHUNK = 256 * 1024;

export function newBoundary(): string {
  return `safekeep-${randomBytes(16).toString('hex')}`;
}

function partHead(boundary: string, first: boolean): Buffer {
  return Buffer.from(`${first ? '' : CRLF}--${boundary}${CRLF}Content-Type: application/dicom${CRLF}${CRLF}`, 'latin1');
}

export function stowBody(files: readonly BodyFile[], boundary = newBoundary()): StowBody {
  const heads = files.map((_, i) => partHead(boundary, i === 0));
  const tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1');
  let contentLength = tail.length;
  files.forEach((f, i) => (contentLength += heads[i]!.length + f.size));

  async function* parts(): AsyncGenerator<Buffer> {
    for (let i = 0; i < files.length; i++) {
      yield heads[i]!;
      const f = files[i]!;
      let sent = 0;
      for await (const chunk of fs.createReadStream(f.path, { highWaterMark: READ_CHUNK })) {
        sent += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (sent !== f.size) throw new Error(`${f.path} changed while it was being sent (${f.size} bytes when checked, ${sent} read)`);
    }
    yield tail;
  }
  return {
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
    contentLength,
    stream: Readable.from(parts(), { objectMode: false }),
  };
}
