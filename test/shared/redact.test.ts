import { expect, it } from 'vitest';
import { redactUrls } from '../../src-shared/redact';

it('hides the password of every URL in a text and keeps the rest', () => {
  expect(redactUrls('Cannot use https://user:pw@host:8443/dicomweb: refused by https://u:p%40ss@h/x?y=1')).toBe(
    'Cannot use https://user:***@host:8443/dicomweb: refused by https://u:***@h/x?y=1',
  );
  expect(redactUrls('"baseUrl":"http://a:b@c/d"')).toBe('"baseUrl":"http://a:***@c/d"');
  expect(redactUrls('https://:token@host/')).toBe('https://:***@host/');
  // No password: unchanged (in dicom:// URLs the user info is the AE title).
  for (const s of ['dicom://PACS@10.0.0.1:104', 'https://host/a@b', 'mailto:x@y', 'plain text: a@b']) expect(redactUrls(s)).toBe(s);
});
