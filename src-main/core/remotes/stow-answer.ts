/**
 * Reads the Store Instances Response Module (PS3.18 Annex I) of a STOW-RS answer, in DICOM JSON
 * or in the Native DICOM Model (XML): which instances the archive stored (ReferencedSOPSequence,
 * with an optional Warning Reason) and which it did not (FailedSOPSequence with Failure Reason).
 */
import type { DicomJsonDataset } from '../codec/dicom-json';
import { isPlainObject } from '../codec/dicom-json';
import { Tag } from '../../../src-shared/dicom/tags';
import { parseNativeXml } from '../codec/native-xml';

const WARNING_REASON = '00081196';

export interface InstanceAnswer {
  sopInstanceUid: string;
  sopClassUid: string | null;
  /** Failure Reason (0008,1197) for a failed instance, Warning Reason (0008,1196) for a stored one. */
  code: number | null;
}

export interface StowAnswer {
  stored: Map<string, InstanceAnswer>;
  failed: Map<string, InstanceAnswer>;
  /** A failed item without a SOP Instance UID (e.g. a part the archive could not parse at all). */
  failedWithoutUid: number;
}

/** The answer, or a sentence saying why it cannot be read. */
export function readStowAnswer(body: Buffer): StowAnswer | { problem: string } {
  const text = body.toString('utf8').trim();
  if (text.length === 0) return { problem: 'the answer has an empty body' };
  let ds: unknown;
  if (text.startsWith('<')) {
    try {
      ds = parseNativeXml(text);
    } catch (e) {
      return { problem: `the XML answer cannot be read: ${(e as Error).message}` };
    }
  } else {
    try {
      ds = JSON.parse(text);
    } catch {
      return { problem: 'the answer is neither DICOM JSON nor DICOM XML' };
    }
    // PS3.18 F.2: a JSON payload may be an array of data sets; a store answer holds one.
    if (Array.isArray(ds) && ds.length === 1) ds = ds[0];
  }
  if (!isPlainObject(ds)) return { problem: 'the answer is not a DICOM JSON object' };
  const d = ds as DicomJsonDataset;
  if (d[Tag.ReferencedSOPSequence] === undefined && d[Tag.FailedSOPSequence] === undefined) {
    return { problem: 'the answer has neither a ReferencedSOPSequence nor a FailedSOPSequence' };
  }
  const stored = new Map<string, InstanceAnswer>();
  const failed = new Map<string, InstanceAnswer>();
  let failedWithoutUid = 0;
  for (const item of items(d, Tag.ReferencedSOPSequence)) {
    const a = instance(item, WARNING_REASON);
    if (a) stored.set(a.sopInstanceUid, a);
  }
  for (const item of items(d, Tag.FailedSOPSequence)) {
    const a = instance(item, Tag.FailureReason);
    if (a) failed.set(a.sopInstanceUid, a);
    else failedWithoutUid++;
  }
  return { stored, failed, failedWithoutUid };
}

function items(ds: DicomJsonDataset, tag: string): DicomJsonDataset[] {
  const el = ds[tag] ?? ds[tag.toLowerCase()];
  return (el?.Value ?? []).filter(isPlainObject) as DicomJsonDataset[];
}

function first(ds: DicomJsonDataset, tag: string): unknown {
  const el = ds[tag] ?? ds[tag.toLowerCase()];
  return Array.isArray(el?.Value) ? el.Value[0] : undefined;
}

function instance(item: DicomJsonDataset, codeTag: string): InstanceAnswer | null {
  const uid = first(item, Tag.ReferencedSOPInstanceUID);
  if (typeof uid !== 'string' || uid.trim() === '') return null;
  const cls = first(item, Tag.ReferencedSOPClassUID);
  return { sopInstanceUid: uid.trim(), sopClassUid: typeof cls === 'string' ? cls.trim() : null, code: code(first(item, codeTag)) };
}

/**
 * A US value: a number in DICOM JSON. Some servers send a string instead: four hex digits as the
 * standard writes codes ("A700", "0110", optionally 0x…/…H), otherwise a decimal number ("49152").
 */
function code(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  const hex = /^(?:0x)?([0-9a-f]{4})h?$/i.exec(s);
  if (hex) return parseInt(hex[1]!, 16);
  return /^[0-9]+$/.test(s) ? Number(s) : null;
}
