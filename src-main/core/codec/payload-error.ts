import { AppError } from '../../../src-shared/contract/errors';

/**
 * A DICOM JSON payload that does not follow the Storage Commitment module.
 * `attribute` names the offending attribute with its path, e.g.
 * "ReferencedSOPSequence (0008,1199) item 3 > ReferencedSOPInstanceUID (0008,1155)".
 */
export class PayloadError extends AppError {
  readonly attribute: string;

  constructor(attribute: string, problem: string, dicomStatus = 0x0115) {
    super('invalid-payload', attribute ? `${attribute}: ${problem}` : problem, { detail: attribute, dicomStatus });
    this.name = 'PayloadError';
    this.attribute = attribute;
  }
}
