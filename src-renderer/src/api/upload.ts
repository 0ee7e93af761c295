import type { Result } from '../../../src-shared/contract/client';

// Also type-checked under Node (no DOM-only types here).

/** A file to upload with its path relative to what was dropped ("study1/series1/IM0001"). */
export interface UploadItem {
  file: Blob;
  path: string;
}

/** What the server answers for each upload request (the folder is the same for every batch of one upload). */
export interface UploadResult {
  folder: string;
  files: number;
  bytes: number;
}

export interface UploadProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
}

export interface UploadOptions {
  /** A batch is sent when it reaches this many bytes or files (whichever first). */
  maxBatchBytes?: number;
  maxBatchFiles?: number;
  onProgress?: (p: UploadProgress) => void;
  signal?: { readonly aborted: boolean };
  /** Name of the server-side folder (letters, digits, - and _); default: a new one. */
  batchId?: string;
}

/** "study1\\IM1" → "study1/IM1"; no leading slash, no "..": the server keeps the structure below one folder. */
export function cleanRelativePath(p: string): string {
  return p
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .join('/');
}

export function newBatchId(now = Date.now()): string {
  return `drop-${now}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Uploads files in batches (several POSTs, one folder): a big drop neither builds one
 * huge request body nor waits for the end to show progress.
 */
export async function uploadInBatches(
  post: (form: FormData) => Promise<Result<UploadResult>>,
  items: readonly UploadItem[],
  o: UploadOptions = {},
): Promise<Result<UploadResult>> {
  if (items.length === 0) return { ok: false, error: { code: 'bad-request', message: 'Nothing to upload' } };
  const maxBytes = o.maxBatchBytes ?? 32 * 1024 * 1024;
  const maxFiles = o.maxBatchFiles ?? 500;
  const batchId = o.batchId ?? newBatchId();
  const totalBytes = items.reduce((n, i) => n + i.file.size, 0);
  const progress: UploadProgress = { files: 0, totalFiles: items.length, bytes: 0, totalBytes };
  o.onProgress?.({ ...progress });
  let folder: string | null = null;
  let i = 0;
  while (i < items.length) {
    if (o.signal?.aborted) return { ok: false, error: { code: 'cancelled', message: 'Upload cancelled' } };
    const form = new FormData();
    form.append('batch', batchId);
    let bytes = 0;
    let files = 0;
    while (i < items.length && files < maxFiles && (files === 0 || bytes + items[i]!.file.size <= maxBytes)) {
      const item = items[i++]!;
      // The file name carries the relative path: the server rebuilds the dropped folders from it.
      form.append('file', item.file, cleanRelativePath(item.path) || `file-${i}`);
      bytes += item.file.size;
      files++;
    }
    const r = await post(form);
    if (!r.ok) return r;
    folder = r.value.folder;
    progress.files += files;
    progress.bytes += bytes;
    o.onProgress?.({ ...progress });
  }
  return { ok: true, value: { folder: folder!, files: progress.files, bytes: progress.bytes } };
}
