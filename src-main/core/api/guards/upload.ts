import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../../src-shared/contract/errors';
import { multipartBoundary, parseMultipartStream, type PartSink } from './multipart-stream';

/** Default limit of one upload request (the app sends a big drop in batches of at most 32 MB, one file alone if larger). */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

export interface UploadResult {
  folder: string;
  files: number;
  bytes: number;
}

/**
 * Files dropped on the browser window (POST /api/upload, multipart/form-data: a `batch` field naming the
 * folder, then `file` parts whose file names are relative paths): streamed to disk under `uploadDir/<batch>`
 * as they arrive, each into a temporary name renamed when complete. A body over `maxBytes` is 413 (before
 * reading it when Content-Length says so); a malformed one is 400; either way this request's files are removed.
 */
export async function receiveUpload(req: Request, uploadDir: string, maxBytes: number): Promise<UploadResult> {
  const boundary = multipartBoundary(req.headers.get('content-type') ?? undefined);
  if (!boundary) throw new AppError('bad-request', 'An upload is a multipart/form-data body with a boundary');
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) throw new AppError('bad-request', 'No file in the upload');

  let batch: string | null = null;
  let bytes = 0;
  let unnamed = 0;
  const written: string[] = [];
  const partial = new Map<string, fs.promises.FileHandle>();

  const limited = async function* (body: AsyncIterable<Uint8Array>) {
    let total = 0;
    for await (const chunk of body) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(maxBytes);
      yield chunk;
    }
  };

  try {
    await parseMultipartStream(limited(req.body as unknown as AsyncIterable<Uint8Array>), boundary, async (part) => {
      if (part.filename === null) {
        if (part.name !== 'batch') return discard();
        return collectText(256, (text) => {
          batch = /^[A-Za-z0-9_-]{1,64}$/.test(text) ? text : null;
        });
      }
      if (part.name !== 'file') return discard();
      batch ??= `upload-${Date.now()}`;
      const dir = path.join(uploadDir, batch);
      // Keep the dropped folder structure, but never outside the upload folder.
      const rel = path.normalize(part.filename).replace(/^(\.\.(\/|\\|$))+/, '').replace(/^[/\\]+/, '');
      const target = path.join(dir, rel || `file-${++unnamed}`);
      if (!target.startsWith(dir + path.sep)) throw new AppError('bad-request', `Invalid file name ${part.filename.slice(0, 200)}`);
      // Patients' files: readable by Safekeep's user only (0600 files in 0700 folders).
      await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      const temp = `${target}.part-${randomBytes(6).toString('hex')}`;
      const file = await fs.promises.open(temp, 'w', 0o600);
      partial.set(temp, file);
      return {
        write: async (b) => {
          await file.write(b);
          bytes += b.length;
        },
        end: async () => {
          await file.close();
          await fs.promises.rename(temp, target);
          partial.delete(temp);
          written.push(target);
        },
      };
    });
  } catch (e) {
    await Promise.all([...partial.values()].map((f) => f.close().catch(() => {})));
    await Promise.all([...partial.keys(), ...written].map((f) => fs.promises.rm(f, { force: true })));
    throw e;
  }
  if (written.length === 0) throw new AppError('bad-request', 'No file in the upload');
  return { folder: path.join(uploadDir, batch!), files: written.length, bytes };
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload-too-large', `The upload is larger than the limit of ${maxBytes} bytes`, {
    detail: 'Send fewer files per request, or raise the limit (safekeep serve --max-upload-mb)',
  });
}

function discard(): PartSink {
  return { write: async () => {}, end: async () => {} };
}

function collectText(max: number, done: (text: string) => void): PartSink {
  const parts: Buffer[] = [];
  let size = 0;
  return {
    write: async (b) => {
      size += b.length;
      if (size > max) throw new AppError('bad-request', 'A form field of the upload is too long');
      parts.push(Buffer.from(b));
    },
    end: async () => done(Buffer.concat(parts).toString('utf8')),
  };
}
