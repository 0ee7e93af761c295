import { AppError } from '../../../src-shared/contract/errors';

/** The two representations of a commitment payload (spec §11: JSON default, XML too). */
export type PayloadFormat = 'json' | 'xml';

export const MEDIA_TYPE: Record<PayloadFormat, string> = {
  json: 'application/dicom+json',
  xml: 'application/dicom+xml',
};

const FORMAT_OF_TYPE: Record<string, PayloadFormat> = {
  'application/dicom+json': 'json',
  // Accepted as an alias: some user agents send plain JSON media types.
  'application/json': 'json',
  'application/dicom+xml': 'xml',
};

/** The payload format of a request body, or 415. */
export function formatOfContentType(contentType: string | null | undefined): PayloadFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const f = FORMAT_OF_TYPE[type];
  if (!f) {
    throw new AppError(
      'unsupported-media-type',
      type ? `Content-Type ${type} is not supported` : 'The request has no Content-Type',
      { detail: 'Send application/dicom+json or application/dicom+xml', dicomStatus: 0xc000 },
    );
  }
  return f;
}

/**
 * Chooses the response format from an Accept header (RFC 9110 §12.5.1).
 * Missing Accept or any wildcard that covers JSON gives JSON. Nothing acceptable: 406.
 */
export function negotiateAccept(accept: string | null | undefined): PayloadFormat {
  if (!accept || !accept.trim()) return 'json';
  const ranges = accept
    .split(',')
    .map((part, index) => {
      const [typeRaw, ...params] = part.split(';');
      let q = 1;
      for (const p of params) {
        const [k, v] = p.split('=').map((s) => s.trim());
        if (k === 'q' && v !== undefined) q = Number(v);
      }
      return { type: (typeRaw ?? '').trim().toLowerCase(), q: Number.isNaN(q) ? 0 : q, index };
    })
    .filter((r) => r.type && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranges) {
    if (r.type === '*/*' || r.type === 'application/*') return 'json';
    const f = FORMAT_OF_TYPE[r.type];
    if (f) return f;
  }
  throw new AppError('not-acceptable', `None of the media types in Accept (${accept}) can be produced`, {
    detail: 'Accept application/dicom+json or application/dicom+xml',
    dicomStatus: 0xc000,
  });
}
