import { Tag } from '../../../src-shared/dicom/tags';
import { DatasetReader, sqElement, uiElement, usElement, type DicomJsonDataset } from './dicom-json';
import { buildStudyTree, failureReasonAttr, flatItem, readStudyTree } from './hierarchy';
import type { CommitmentResult, FailedInstance, RequestedInstance } from '../../../src-shared/commitment/model';

/**
 * Builds the Storage Commitment Response Module (PS3.18 Annex J.2).
 * Flat-form instances go to (0008,1199)/(0008,1198); study-form ones to
 * (0008,1110)/(0008,119B). Empty sequences are omitted (they are Type 1C).
 */
export function buildCommitmentResponse(result: CommitmentResult): DicomJsonDataset {
  const ds: DicomJsonDataset = {};
  const flatOk = result.committed.filter((i) => i.form === 'flat');
  const flatFailed = result.failed.filter((i) => i.form === 'flat');
  const studyOk = result.committed.filter((i) => i.form === 'study');
  const studyFailed = result.failed.filter((i) => i.form === 'study');
  if (flatOk.length > 0) {
    ds[Tag.ReferencedSOPSequence] = sqElement(flatOk.map(flatItem));
  }
  if (flatFailed.length > 0) {
    ds[Tag.FailedSOPSequence] = sqElement(
      flatFailed.map((i) => ({ ...flatItem(i), [Tag.FailureReason]: usElement(i.failureReason) })),
    );
  }
  if (studyOk.length > 0) ds[Tag.ReferencedStudySequence] = sqElement(buildStudyTree(studyOk));
  if (studyFailed.length > 0) {
    ds[Tag.FailedStudySequence] = sqElement(buildStudyTree(studyFailed, (i) => failureReasonAttr(i.failureReason)));
  }
  return ds;
}

/**
 * Parses a Storage Commitment Response as a user agent receives it.
 * Shape errors throw PayloadError; whether the answer matches the request
 * is checked by the caller (engine/response-check).
 */
export function parseCommitmentResponse(json: unknown): CommitmentResult {
  const root = DatasetReader.root(json, 'The commitment response');
  const committed: RequestedInstance[] = [];
  const failed: FailedInstance[] = [];

  for (const item of root.sequence(Tag.ReferencedSOPSequence, false)) {
    committed.push({
      form: 'flat',
      sopClassUid: item.uid(Tag.ReferencedSOPClassUID),
      sopInstanceUid: item.uid(Tag.ReferencedSOPInstanceUID),
    });
  }
  for (const item of root.sequence(Tag.FailedSOPSequence, false)) {
    failed.push({
      form: 'flat',
      sopClassUid: item.uid(Tag.ReferencedSOPClassUID),
      sopInstanceUid: item.uid(Tag.ReferencedSOPInstanceUID),
      failureReason: item.us(Tag.FailureReason),
    });
  }
  readStudyTree(root, Tag.ReferencedStudySequence, (i) => committed.push(i), false);
  readStudyTree(root, Tag.FailedStudySequence, (i, r) => failed.push({ ...i, failureReason: r }), true);
  return { committed, failed };
}

/**
 * The same text as JSON.stringify(buildCommitmentResponse(result)), written directly: a
 * 100,000-instance answer then needs no tree of half a million small objects.
 */
export function commitmentResponseJsonText(result: CommitmentResult): string {
  const out: string[] = [];
  const q = JSON.stringify;
  const ui = (tag: string, uid: string) => `${q(tag)}:{"vr":"UI","Value":[${q(uid)}]}`;
  const reason = (n: number) => `,"${Tag.FailureReason}":{"vr":"US","Value":[${n}]}`;
  const seq = (tag: string, items: string[]) => `${q(tag)}:{"vr":"SQ","Value":[${items.join(',')}]}`;
  const flatOk = result.committed.filter((i) => i.form === 'flat');
  const flatFailed = result.failed.filter((i) => i.form === 'flat');
  const studyOk = result.committed.filter((i) => i.form === 'study');
  const studyFailed = result.failed.filter((i) => i.form === 'study');
  const flatItem = (i: RequestedInstance, extra = '') =>
    `{${ui(Tag.ReferencedSOPClassUID, i.sopClassUid)},${ui(Tag.ReferencedSOPInstanceUID, i.sopInstanceUid)}${extra}}`;
  if (flatOk.length > 0) out.push(seq(Tag.ReferencedSOPSequence, flatOk.map((i) => flatItem(i))));
  if (flatFailed.length > 0) out.push(seq(Tag.FailedSOPSequence, flatFailed.map((i) => flatItem(i, reason(i.failureReason)))));
  const tree = <T extends RequestedInstance>(list: readonly T[], extra: (i: T) => string): string[] => {
    // Grouped in first-seen order, as buildStudyTree does.
    const studies = new Map<string, Map<string, Map<string, T[]>>>();
    for (const i of list) {
      const series = studies.get(i.studyUid ?? '') ?? new Map<string, Map<string, T[]>>();
      studies.set(i.studyUid ?? '', series);
      const classes = series.get(i.seriesUid ?? '') ?? new Map<string, T[]>();
      series.set(i.seriesUid ?? '', classes);
      const members = classes.get(i.sopClassUid) ?? [];
      classes.set(i.sopClassUid, members);
      members.push(i);
    }
    return [...studies].map(
      ([studyUid, series]) =>
        `{${ui(Tag.StudyInstanceUID, studyUid)},${seq(
          Tag.ReferencedSeriesSequence,
          [...series].map(
            ([seriesUid, classes]) =>
              `{${ui(Tag.SeriesInstanceUID, seriesUid)},${seq(
                Tag.ReferencedInstancesBySOPClassSequence,
                [...classes].map(
                  ([sopClassUid, members]) =>
                    `{${ui(Tag.ReferencedSOPClassUID, sopClassUid)},${seq(
                      Tag.ReferencedInstanceSequence,
                      members.map((i) => `{${ui(Tag.ReferencedSOPInstanceUID, i.sopInstanceUid)}${extra(i)}}`),
                    )}}`,
                ),
              )}}`,
          ),
        )}}`,
    );
  };
  if (studyOk.length > 0) out.push(seq(Tag.ReferencedStudySequence, tree(studyOk, () => '')));
  if (studyFailed.length > 0) out.push(seq(Tag.FailedStudySequence, tree(studyFailed, (i) => reason(i.failureReason))));
  return `{${out.join(',')}}`;
}
