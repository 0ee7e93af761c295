import { attributeName, VR_OF } from '../../../src-shared/dicom/tags';
import { describeUidProblem, uidProblem } from '../../../src-shared/dicom/uid';
import { PayloadError } from './payload-error';

/** A DICOM JSON data set (PS3.18 Annex F): tag -> { vr, Value? }. */
export type DicomJsonElement = { vr: string; Value?: unknown[] };
export type DicomJsonDataset = Record<string, DicomJsonElement>;

/**
 * Reads typed values out of a DICOM JSON data set while tracking where it is,
 * so every error names the attribute and its position in the tree.
 */
export class DatasetReader {
  /**
   * Where this data set sits: the sequence item of a parent, or the root. The path text is built
   * only when an error names it (a large payload has 100,000s of items, and this is one small object each).
   */
  constructor(
    readonly ds: Record<string, unknown>,
    private readonly parent: DatasetReader | null = null,
    private readonly seqTag = '',
    private readonly index = 0,
  ) {}

  get path(): string {
    return this.parent ? `${this.parent.name(this.seqTag)} item ${this.index + 1}` : '';
  }

  static root(value: unknown, what: string): DatasetReader {
    // PS3.18 F.2: a payload may be a bare object or an array of data sets; a commitment payload holds one.
    let v = value;
    if (Array.isArray(v)) {
      if (v.length !== 1) throw new PayloadError('', `${what} must be one DICOM JSON data set, got an array of ${v.length}`);
      v = v[0];
    }
    if (!isPlainObject(v)) throw new PayloadError('', `${what} must be a DICOM JSON object`);
    return new DatasetReader(v);
  }

  private name(tag: string): string {
    const n = attributeName(tag);
    const path = this.path;
    return path ? `${path} > ${n}` : n;
  }

  has(tag: string): boolean {
    return this.ds[tag] !== undefined || this.ds[tag.toLowerCase()] !== undefined;
  }

  private element(tag: string): DicomJsonElement | undefined {
    const raw = this.ds[tag] ?? this.ds[tag.toLowerCase()];
    if (raw === undefined) return undefined;
    if (!isPlainObject(raw)) throw new PayloadError(this.name(tag), 'must be an object with "vr" and "Value"');
    const vr = raw.vr;
    const expected = VR_OF[tag];
    if (typeof vr !== 'string') throw new PayloadError(this.name(tag), 'has no "vr"');
    if (expected && vr !== expected) throw new PayloadError(this.name(tag), `has VR ${vr}, expected ${expected}`);
    const value = raw.Value;
    if (value !== undefined && !Array.isArray(value)) throw new PayloadError(this.name(tag), '"Value" must be an array');
    return raw as DicomJsonElement;
  }

  /** Items of a sequence; [] when absent or empty. */
  sequence(tag: string, required: boolean): DatasetReader[] {
    const el = this.element(tag);
    if (!el) {
      if (required) throw new PayloadError(this.name(tag), 'is missing', 0x0120);
      return [];
    }
    const items = el.Value ?? [];
    if (required && items.length === 0) throw new PayloadError(this.name(tag), 'is empty');
    return items.map((item, i) => {
      if (!isPlainObject(item)) throw new PayloadError(`${this.name(tag)} item ${i + 1}`, 'must be a DICOM JSON object');
      return new DatasetReader(item, this, tag, i);
    });
  }

  /** A single-valued UI attribute, checked against the UID rules. */
  uid(tag: string): string {
    const el = this.element(tag);
    if (!el) throw new PayloadError(this.name(tag), 'is missing', 0x0120);
    const values = el.Value ?? [];
    if (values.length !== 1) throw new PayloadError(this.name(tag), `must have exactly one value, has ${values.length}`);
    const v = values[0];
    if (typeof v !== 'string') throw new PayloadError(this.name(tag), 'must be a string');
    const problem = uidProblem(v);
    if (problem) throw new PayloadError(this.name(tag), `"${truncate(v)}" ${describeUidProblem(problem)}`);
    return v;
  }

  /** A single-valued US attribute. */
  us(tag: string): number {
    const el = this.element(tag);
    if (!el) throw new PayloadError(this.name(tag), 'is missing', 0x0120);
    const values = el.Value ?? [];
    if (values.length !== 1) throw new PayloadError(this.name(tag), `must have exactly one value, has ${values.length}`);
    const v = values[0];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) {
      throw new PayloadError(this.name(tag), 'must be an unsigned 16-bit integer');
    }
    return v;
  }

  attributeName(tag: string): string {
    return this.name(tag);
  }
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- writing ----

export function uiElement(uid: string): DicomJsonElement {
  return { vr: 'UI', Value: [uid] };
}

export function usElement(n: number): DicomJsonElement {
  return { vr: 'US', Value: [n] };
}

export function sqElement(items: DicomJsonDataset[]): DicomJsonElement {
  return { vr: 'SQ', Value: items };
}
