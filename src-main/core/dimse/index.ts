/** DIMSE Storage Commitment (Push Model) facade over dcmjs-dimse. */
export { echo, sendCommitmentReport, sendCommitmentRequest, type DimseLogger, type SendCommitmentRequestOptions } from './scu';
export { DimseListener, type DimseListenerOptions, type ListenerHandlers, type SameAssociationReporter } from './listener';
export * from './types';
