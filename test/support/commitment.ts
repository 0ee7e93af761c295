import { buildCommitmentRequest } from '../../src-main/core/codec/request-json';
import type { RequestedInstance } from '../../src-shared/commitment/model';
import { randomUid } from './dicom-writer';
import type { GeneratedInstance } from './fixtures';

export const JSON_TYPE = 'application/dicom+json';

export function flatRefs(instances: readonly Pick<GeneratedInstance, 'sopClassUid' | 'sopInstanceUid'>[]): RequestedInstance[] {
  return instances.map((i) => ({ form: 'flat', sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid }));
}

export function studyRefs(instances: readonly GeneratedInstance[]): RequestedInstance[] {
  return instances.map((i) => ({
    form: 'study',
    sopClassUid: i.sopClassUid,
    sopInstanceUid: i.sopInstanceUid,
    studyUid: i.studyUid,
    seriesUid: i.seriesUid,
  }));
}

export interface PostOptions {
  token?: string | null;
  body?: string;
  contentType?: string | null;
  accept?: string | null;
}

/** POSTs a commitment request over real HTTP. */
export async function postCommitment(
  baseUrl: string,
  uid: string,
  refs: RequestedInstance[] | null,
  o: PostOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (o.contentType !== null) headers['Content-Type'] = o.contentType ?? JSON_TYPE;
  if (o.accept !== null) headers.Accept = o.accept ?? JSON_TYPE;
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  return fetch(`${baseUrl}/dicomweb/commitment-requests/${uid}`, {
    method: 'POST',
    headers,
    body: o.body ?? JSON.stringify(buildCommitmentRequest(refs ?? [])),
  });
}

export async function getCommitment(baseUrl: string, uid: string, o: PostOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (o.accept !== null) headers.Accept = o.accept ?? JSON_TYPE;
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  return fetch(`${baseUrl}/dicomweb/commitment-requests/${uid}`, { headers });
}

export function unknownInstance(sopClassUid = '1.2.840.10008.5.1.4.1.1.2'): { sopClassUid: string; sopInstanceUid: string } {
  return { sopClassUid, sopInstanceUid: randomUid() };
}

export { randomUid };
