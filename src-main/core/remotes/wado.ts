/**
 * WADO-RS client (PS3.18 §10.4): retrieves the archive's copy of one instance as a Part 10
 * file, `GET {wado-base}/studies/{s}/series/{se}/instances/{i}` with
 * Accept: multipart/related; type="application/dicom". It first asks for the local file's
 * transfer syntax (so an archive that can transcode gives a copy comparable byte for byte),
 * then for any (transfer-syntax=*) if the archive cannot produce that one.
 */
import { MultipartParseError, parseMultipart } from '@remix-run/multipart-parser';
import dicomParser from 'dicom-parser';
import type { BinaryAnswer, DicomwebClient } from './dicomweb-client';
import { bodyExcerpt, DicomwebAnswerError, DicomwebHttpError, mediaTypeOf, mediaTypeParameter } from './dicomweb-errors';

export interface InstanceRef {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
}

export interface RetrievedInstance {
  /** The Part 10 file as the archive sent it (preamble, File Meta, data set). */
  bytes: Buffer;
  /** From its File Meta (0002,0010): what the bytes are, whatever was asked for. */
  transferSyntaxUid: string;
  /** The Accept header that got this answer. */
  accept: string;
}

export interface WadoOptions {
  /** The local file's transfer syntax, asked for first; null/undefined asks for any. */
  transferSyntax?: string | null;
  signal?: AbortSignal;
  /** Default 2 GiB. */
  maxBytes?: number;
}

const ANY = 'multipart/related; type="application/dicom"; transfer-syntax=*';
/** Statuses with which an archive turns down a transfer syntax it cannot produce (Orthanc 1.10: 500). */
const TRY_ANY_AFTER = new Set([400, 406, 415, 500, 501]);

export class WadoClient {
  /** `base`: the WADO-RS base URL (e.g. http://host/dicom-web). */
  constructor(
    private readonly http: DicomwebClient,
    private readonly base: string,
  ) {}

  instanceUrl(ref: InstanceRef): string {
    const e = encodeURIComponent;
    return `${this.base.replace(/\/+$/, '')}/studies/${e(ref.studyUid)}/series/${e(ref.seriesUid)}/instances/${e(ref.sopInstanceUid)}`;
  }

  async retrieveInstance(ref: InstanceRef, o: WadoOptions = {}): Promise<RetrievedInstance> {
    const url = this.instanceUrl(ref);
    const accepts = o.transferSyntax ? [`multipart/related; type="application/dicom"; transfer-syntax=${o.transferSyntax}`, ANY] : [ANY];
    for (let i = 0; ; i++) {
      const accept = accepts[i]!;
      const answer = await this.http.exchange(url, {
        method: 'GET',
        headers: { accept },
        signal: o.signal,
        maxAnswerBytes: o.maxBytes ?? 2 * 1024 * 1024 * 1024,
      });
      if (answer.status === 200) {
        const bytes = part10Of(url, answer, ref.sopInstanceUid);
        return { bytes, transferSyntaxUid: metaOf(bytes)!.ts, accept };
      }
      if (i + 1 < accepts.length && TRY_ANY_AFTER.has(answer.status)) continue;
      throw DicomwebHttpError.of('WADO-RS', url, answer);
    }
  }
}

/** The File Meta facts of a Part 10 buffer, or null when it is not one. */
function metaOf(bytes: Buffer): { ts: string; sopInstanceUid: string | null } | null {
  if (bytes.length < 132 || bytes.toString('latin1', 128, 132) !== 'DICM') return null;
  try {
    const meta = dicomParser.readPart10Header(bytes);
    const clean = (s: string | undefined) => (s ?? '').replace(/[\0 ]+$/, '');
    const ts = clean(meta.string('x00020010'));
    return ts ? { ts, sopInstanceUid: clean(meta.string('x00020003')) || null } : null;
  } catch {
    return null;
  }
}

/** The one Part 10 file of the answer, or a DicomwebAnswerError saying what is wrong with it. */
function part10Of(url: string, answer: BinaryAnswer, sopInstanceUid: string): Buffer {
  const garbage = (problem: string) => new DicomwebAnswerError('WADO-RS', url, answer.status, problem);
  const contentType = answer.headers['content-type'];
  const type = mediaTypeOf(contentType);
  let candidates: Buffer[];
  if (type === 'application/dicom') {
    candidates = [answer.body]; // some archives answer a single instance without the multipart wrapper
  } else if (type === 'multipart/related') {
    const boundary = mediaTypeParameter(contentType, 'boundary');
    if (!boundary) throw garbage('the multipart/related answer has no boundary in its Content-Type');
    try {
      const parts = [...parseMultipart(answer.body, { boundary, maxFileSize: answer.body.length, maxTotalSize: answer.body.length + 1, maxParts: 10_000 })];
      candidates = parts
        .filter((p) => p.mediaType === undefined || p.mediaType.toLowerCase() === 'application/dicom')
        .map((p) => {
          const b = p.bytes;
          return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
        });
      if (candidates.length === 0) throw garbage(`none of its ${parts.length} part(s) is application/dicom`);
    } catch (e) {
      if (e instanceof MultipartParseError) throw garbage(`the multipart body cannot be parsed (${e.message}): ${bodyExcerpt(answer.body)}`);
      throw e;
    }
  } else {
    throw garbage(`expected multipart/related, got ${type ? `Content-Type ${type}` : 'no Content-Type'}: ${bodyExcerpt(answer.body)}`);
  }
  const metas = candidates.map((b) => ({ b, meta: metaOf(b) }));
  const dicom = metas.filter((m) => m.meta !== null);
  if (dicom.length === 0) throw garbage(`the part is not a DICOM Part 10 file: ${bodyExcerpt(candidates[0]!)}`);
  const match = dicom.find((m) => m.meta!.sopInstanceUid === sopInstanceUid);
  if (match) return match.b;
  if (dicom.length === 1 && dicom[0]!.meta!.sopInstanceUid === null) return dicom[0]!.b;
  throw garbage(`asked for instance ${sopInstanceUid}, got ${dicom.map((m) => m.meta!.sopInstanceUid ?? '(no UID)').join(', ')}`);
}
