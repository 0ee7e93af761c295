import { Tag } from '../../../src-shared/dicom/tags';
import { DatasetReader, sqElement, type DicomJsonDataset } from './dicom-json';
import { buildStudyTree, flatItem, readStudyTree } from './hierarchy';
import type { CommitmentRequest, RequestedInstance } from '../../../src-shared/commitment/model';
import { PayloadError } from './payload-error';

/**
 * Parses and validates a Storage Commitment Request (PS3.18 Annex J.1) in DICOM JSON.
 * Accepts the flat form (0008,1199), the study form (0008,1110), or both (spec §11).
 * Throws PayloadError naming the offending attribute.
 */
export function parseCommitmentRequest(json: unknown): CommitmentRequest {
  const root = DatasetReader.root(json, 'The commitment request');
  const instances: RequestedInstance[] = [];
  const seen = new Map<string, DatasetReader>();
  const at = (item: DatasetReader) => item.attributeName(Tag.ReferencedSOPInstanceUID);

  const add = (i: RequestedInstance, where: DatasetReader) => {
    const first = seen.get(i.sopInstanceUid);
    if (first !== undefined) {
      throw new PayloadError(at(where), `SOP Instance UID ${i.sopInstanceUid} is listed more than once (first at ${at(first)})`);
    }
    seen.set(i.sopInstanceUid, where);
    instances.push(i);
  };

  for (const item of root.sequence(Tag.ReferencedSOPSequence, false)) {
    add(
      {
        form: 'flat',
        sopClassUid: item.uid(Tag.ReferencedSOPClassUID),
        sopInstanceUid: item.uid(Tag.ReferencedSOPInstanceUID),
      },
      item,
    );
  }

  readStudyTree(root, Tag.ReferencedStudySequence, (i, _r, where) => add(i, where), false);

  if (instances.length === 0) {
    throw new PayloadError(
      '',
      'The commitment request references no instance: ReferencedSOPSequence (0008,1199) and ReferencedStudySequence (0008,1110) are both absent or empty',
      0x0120,
    );
  }
  return { instances };
}

/** Builds the DICOM JSON request for the given instances, each in its own form. */
export function buildCommitmentRequest(instances: readonly RequestedInstance[]): DicomJsonDataset {
  const flat = instances.filter((i) => i.form === 'flat');
  const study = instances.filter((i) => i.form === 'study');
  const ds: DicomJsonDataset = {};
  if (flat.length > 0) {
    ds[Tag.ReferencedSOPSequence] = sqElement(flat.map(flatItem));
  }
  if (study.length > 0) ds[Tag.ReferencedStudySequence] = sqElement(buildStudyTree(study));
  return ds;
}
