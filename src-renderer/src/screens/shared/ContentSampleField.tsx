import { useState } from 'react';
import { parseContentSample, type ContentSample } from '../../../../src-shared/content';

/** The choice "Verify content": off, a random sample in percent (at least one per series), or all. */
export type ContentChoice = { mode: 'off' | 'sample' | 'all'; percent: string };

export const NO_CONTENT_CHECK: ContentChoice = { mode: 'off', percent: '10' };

/** The sample the choice asks for: null when off; 'invalid' when the percentage is not 0 < p ≤ 100. */
export function sampleOf(c: ContentChoice): ContentSample | null | 'invalid' {
  if (c.mode === 'off') return null;
  if (c.mode === 'all') return 'all';
  return parseContentSample(c.percent) ?? 'invalid';
}

export function ContentSampleField({ value, onChange, allowOff = true }: { value: ContentChoice; onChange(c: ContentChoice): void; allowOff?: boolean }) {
  const [name] = useState(() => `content-${Math.random().toString(36).slice(2)}`);
  const invalid = sampleOf(value) === 'invalid';
  return (
    <fieldset className="radio-group" data-testid="content-sample">
      <legend>Verify content</legend>
      {allowOff && (
        <label>
          <input type="radio" name={name} checked={value.mode === 'off'} onChange={() => onChange({ ...value, mode: 'off' })} /> Off
        </label>
      )}
      <label>
        <input type="radio" name={name} checked={value.mode === 'sample'} onChange={() => onChange({ ...value, mode: 'sample' })} /> A random sample of{' '}
        <input
          aria-label="Sample percentage"
          className="input-narrow"
          inputMode="decimal"
          value={value.percent}
          aria-invalid={invalid}
          onChange={(e) => onChange({ mode: 'sample', percent: e.target.value })}
        />{' '}
        % (at least one per series)
      </label>
      <label>
        <input type="radio" name={name} checked={value.mode === 'all'} onChange={() => onChange({ ...value, mode: 'all' })} /> All committed instances
      </label>
      <p className="field-hint">
        After commitment, the archive&rsquo;s copy is retrieved (C-GET or WADO-RS) and compared with the local file: a copy that differs fails its verdict.
      </p>
      {invalid && (
        <p className="field-error" role="alert">
          A percentage greater than 0 and at most 100.
        </p>
      )}
    </fieldset>
  );
}
