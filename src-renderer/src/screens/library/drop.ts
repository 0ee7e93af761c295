import { cleanRelativePath, type UploadItem } from '../../api/upload';

/**
 * What was dropped on the window, read while the drop event lasts (the browser
 * invalidates the DataTransfer afterwards): folder entries to walk, loose files.
 */
export interface DroppedThings {
  entries: FileSystemEntry[];
  files: File[];
}

export function grabDropped(dt: DataTransfer): DroppedThings {
  const entries: FileSystemEntry[] = [];
  const files: File[] = [];
  const items = dt.items ? [...dt.items] : [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) files.push(f);
    }
  }
  if (items.length === 0) files.push(...[...(dt.files ?? [])]);
  return { entries, files };
}

/** Every file below the dropped entries, with its path relative to the drop (folder names kept). */
export async function filesOfDropped(d: DroppedThings): Promise<UploadItem[]> {
  const out: UploadItem[] = [];
  for (const e of d.entries) await walk(e, out);
  for (const f of d.files) out.push({ file: f, path: cleanRelativePath(f.webkitRelativePath || f.name) });
  return out;
}

async function walk(entry: FileSystemEntry, out: UploadItem[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: cleanRelativePath(entry.fullPath || file.name) });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries answers in chunks (100 in Chromium) until an empty one.
    for (;;) {
      const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (chunk.length === 0) break;
      for (const child of chunk) await walk(child, out);
    }
  }
}

/** Files chosen with <input type=file webkitdirectory>: their relative paths include the folder. */
export function filesOfInput(list: FileList): UploadItem[] {
  return [...list].map((f) => ({ file: f, path: cleanRelativePath(f.webkitRelativePath || f.name) }));
}
