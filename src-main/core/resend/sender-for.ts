import { DicomwebClient } from '../remotes/dicomweb-client';
import type { RemoteWithSecret } from '../remotes/model/remote';
import { DimseSender } from './dimse-sender';
import type { Sender } from './sender';
import { StowSender } from './stow-sender';

/** The sender for a remote: C-STORE to its storage AE, or STOW-RS to its STOW-RS base URL. */
export function senderFor(remote: RemoteWithSecret): Sender {
  if (remote.kind === 'dimse') return new DimseSender(remote.config);
  return new StowSender(new DicomwebClient(remote.config, remote.secret), remote.config);
}
