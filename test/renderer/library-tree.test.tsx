// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { LibraryScreen } from '../../src-renderer/src/screens/library/LibraryScreen';
import { StudyTree } from '../../src-renderer/src/screens/library/StudyTree';
import { buildTreeModel } from '../../src-renderer/src/screens/library/tree-model';
import { useNavigation } from '../../src-renderer/src/state/navigation';
import { useSelection } from '../../src-renderer/src/state/selection';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';
import { instanceRow, seriesOf, study } from './support/rows';

setupDom();

const STUDIES = Array.from({ length: 500 }, (_, i) => study(i + 1));

function libraryApi(): FakeApi {
  return new FakeApi()
    .on('library-studies', ({ search, limit = 200, offset = 0 }) => {
      const rows = search ? STUDIES.filter((s) => s.patientName!.includes(search) || s.studyUid.includes(search)) : STUDIES;
      return { rows: rows.slice(offset, offset + limit), total: rows.length };
    })
    .on('library-series', ({ studyUid }) => seriesOf(Number(studyUid.split('.').pop()), 2))
    .on('library-instances', ({ seriesUid, limit = 200, offset = 0 }) => {
      const all = Array.from({ length: 3 }, (_, k) => instanceRow(seriesUid, k));
      return { rows: all.slice(offset, offset + limit), total: all.length };
    })
    .on('library-summary', () => ({ studies: 500, series: 1000, instances: 3000, skipped: 1, conflicts: 1, duplicates: 2, flagged: 1, bytes: 3_000_000, roots: [] }))
    .on('library-scan-state', () => null)
    .on('library-problems', ({ limit = 200, offset = 0 }) => ({
      rows: [
        { path: '/lib/a/copy.dcm', status: 'duplicate' as const, reason: 'duplicate-copy', message: 'Identical to /lib/a/IM1', size: 500 },
        { path: '/lib/b/IM1', status: 'conflict' as const, reason: 'uid-conflict', message: 'A different file with the same SOP Instance UID as /lib/a/IM1', size: 600 },
        { path: '/lib/c/IM9', status: 'flagged' as const, reason: 'pixel-data-truncated', message: 'Pixel Data truncated: declares 100000 bytes, the file has 70000', size: 70_500 },
        { path: '/lib/notes.txt', status: 'skipped' as const, reason: 'not-dicom', message: 'No DICOM Part 10 signature', size: 5 },
      ].slice(offset, offset + limit),
      total: 4,
    }))
    .on('remotes-list', () => [
      {
        id: 7,
        name: 'Archive',
        kind: 'dicomweb' as const,
        hasSecret: true,
        createdAt: 0,
        updatedAt: 0,
        config: { baseUrl: 'http://archive/dicomweb', auth: 'bearer' as const, caFile: null, insecureSkipVerify: false, timeoutSeconds: 60, maxInstancesPerRequest: 1000, concurrency: 4, deadlineHours: 24 },
      },
    ])
    .on('outgoing-create', ({ selection }) => ({ jobId: 3, requestIds: [11, 12], instances: 6 * (selection.studies?.length ?? 0) }));
}

const checkbox = (name: RegExp) => screen.getByRole('checkbox', { name });

describe('tree model', () => {
  it('maps rows of a long list with expanded studies and series, without materialising them', () => {
    const series = seriesOf(5, 2, 1000);
    const m = buildTreeModel(100_000, [{ uid: 's5', index: 5, series }], new Set([series[1]!.seriesUid]));
    expect(m.count).toBe(100_000 + 2 + 1000);
    expect(m.rowAt(5)).toEqual({ kind: 'study', index: 5 });
    expect(m.rowAt(6)).toMatchObject({ kind: 'series', position: 0 });
    expect(m.rowAt(7)).toMatchObject({ kind: 'series', position: 1 });
    expect(m.rowAt(8)).toEqual({ kind: 'instance', studyUid: 's5', seriesUid: series[1]!.seriesUid, index: 0 });
    expect(m.rowAt(1007)).toMatchObject({ kind: 'instance', index: 999 });
    expect(m.rowAt(1008)).toEqual({ kind: 'study', index: 6 });
    expect(m.rowAt(m.count - 1)).toEqual({ kind: 'study', index: 99_999 });
    expect(m.rowAt(m.count)).toBeUndefined();
    expect(m.flatIndexOfStudy(6)).toBe(1008);
    // Series not loaded yet: one "loading" line.
    expect(buildTreeModel(3, [{ uid: 'x', index: 0, series: undefined }], new Set()).rowAt(1)).toEqual({ kind: 'loading', studyUid: 'x' });
  });
});

describe('library tree', () => {
  it('shows a window of studies and fetches only the pages on screen', async () => {
    const api = libraryApi();
    renderWithApi(<StudyTree search="" />, { client: api });
    await screen.findByText('PATIENT, P1');
    const grid = screen.getByRole('treegrid', { name: /Library studies/ });
    expect(grid.getAttribute('aria-rowcount')).toBe('501');
    // ~20 rows fit; only those (plus overscan) exist in the DOM.
    expect(within(grid).getAllByRole('row').length).toBeLessThan(50);
    expect(api.callsOf('library-studies')).toEqual([{ limit: 200, offset: 0 }]);
  });

  it('selects studies with checkboxes and a shift-click range, including rows never loaded', async () => {
    const api = libraryApi();
    renderWithApi(<StudyTree search="" />, { client: api });
    await screen.findByText('PATIENT, P1');
    fireEvent.click(checkbox(/^Select study PATIENT, P2 /));
    expect([...useSelection.getState().studies]).toEqual(['1.2.826.2']);
    fireEvent.click(checkbox(/^Select study PATIENT, P5 /), { shiftKey: true });
    await waitFor(() => expect(useSelection.getState().studies.size).toBe(4));
    expect([...useSelection.getState().studies].sort()).toEqual(['1.2.826.2', '1.2.826.3', '1.2.826.4', '1.2.826.5']);
    // The range was asked of the core (it may span pages not loaded).
    expect(api.callsOf('library-studies')).toContainEqual({ offset: 1, limit: 4 });
    expect((checkbox(/^Select study PATIENT, P3 /) as HTMLInputElement).checked).toBe(true);
    // A shift-click on a selected row unselects the range.
    fireEvent.click(checkbox(/^Select study PATIENT, P3 /));
    fireEvent.click(checkbox(/^Select study PATIENT, P4 /), { shiftKey: true });
    await waitFor(() => expect([...useSelection.getState().studies].sort()).toEqual(['1.2.826.2', '1.2.826.5']));
  });

  it('expands a study into series and a series into instances; a selected study includes its series', async () => {
    const api = libraryApi();
    renderWithApi(<StudyTree search="" />, { client: api });
    await screen.findByText('PATIENT, P1');
    fireEvent.click(screen.getByRole('button', { name: /^Expand study PATIENT, P1 / }));
    await screen.findByText('Series 1', { selector: '.tree-name' , exact: false });
    const seriesBox = checkbox(/^Select series Series 1/) as HTMLInputElement;
    expect(seriesBox.checked).toBe(false);
    fireEvent.click(checkbox(/^Select study PATIENT, P1 /));
    expect(seriesBox.checked).toBe(true);
    expect(seriesBox.disabled).toBe(true);
    expect(useSelection.getState().series.size).toBe(0);

    fireEvent.click(screen.getByRole('button', { name: /^Expand series Series 2/ }));
    await screen.findByText(/1\.2\.826\.1\.2\.3$/);
    expect(api.callsOf('library-instances')).toEqual([{ seriesUid: '1.2.826.1.2', limit: 200, offset: 0 }]);
    const rows = screen.getByRole('treegrid').querySelectorAll('[aria-level="3"]');
    expect(rows).toHaveLength(3);
  });

  it('is keyboard navigable: arrows move, Right expands, Space selects', async () => {
    const api = libraryApi();
    renderWithApi(<StudyTree search="" />, { client: api });
    await screen.findByText('PATIENT, P1');
    const grid = screen.getByRole('treegrid');
    grid.focus();
    const user = userEvent.setup();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    const active = document.getElementById(grid.getAttribute('aria-activedescendant')!)!;
    expect(active.textContent).toContain('PATIENT, P2');
    await user.keyboard(' ');
    expect([...useSelection.getState().studies]).toEqual(['1.2.826.2']);
    await user.keyboard('{ArrowRight}');
    await screen.findAllByText(/^Series 1/);
    expect(active.getAttribute('aria-expanded')).toBe('true');
  });

  it('selects all matching studies and sends them with "Verify selected"', async () => {
    const api = libraryApi();
    renderWithApi(<LibraryScreen />, { client: api });
    await screen.findByText('PATIENT, P1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Select all 500 studies' }));
    await waitFor(() => expect(screen.getByTestId('selection-summary').textContent).toBe('500 studies'));
    expect(api.callsOf('library-studies')).toContainEqual({ offset: 0, limit: 100_000 });

    await user.click(screen.getByRole('button', { name: 'Verify selected…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Verify selected' });
    await within(dialog).findByRole('option', { name: /Archive/ });
    await user.click(within(dialog).getByLabelText(/Flat list of instances/));
    await user.type(within(dialog).getByLabelText('Label (optional)'), 'Migration batch 1');
    await user.click(within(dialog).getByRole('button', { name: 'Send commitment request' }));
    await waitFor(() => expect(api.callsOf('outgoing-create')).toHaveLength(1));
    const args = api.callsOf('outgoing-create')[0]!;
    expect(args).toMatchObject({ remoteId: 7, form: 'flat', label: 'Migration batch 1' });
    expect(args.selection.studies).toHaveLength(500);
    // On to the Outgoing screen, with the first request open; the selection is cleared.
    await waitFor(() => expect(useNavigation.getState().route).toEqual({ screen: 'outgoing', requestId: 11 }));
    expect(useSelection.getState().studies.size).toBe(0);
  });

  it('filters by search, and lists problem files (skipped, conflict, duplicate copy, flagged) with their reasons', async () => {
    const api = libraryApi();
    renderWithApi(<LibraryScreen />, { client: api });
    await screen.findByText('PATIENT, P1');
    const user = userEvent.setup();
    await user.type(screen.getByRole('searchbox'), 'P421');
    await waitFor(() => expect(api.callsOf('library-studies')).toContainEqual({ search: 'P421', limit: 200, offset: 0 }));
    await screen.findByRole('button', { name: 'Select all 1 matching studies' });
    await user.type(screen.getByRole('searchbox'), '9999');
    await screen.findByText('No study matches “P4219999”');

    expect(screen.getByTestId('library-summary').textContent).toBe(
      '500 studies · 1,000 series · 3,000 instances · 2.9 MiB · ⚠ 1 file skipped · ⚠ 1 conflict · 2 duplicate copies · ⚠ 1 flagged (pixel data truncated)',
    );
    await user.click(screen.getByText('Problem files (5)'));
    const problems = screen.getByRole('grid', { name: 'Problem files' });
    await within(problems).findByText('Not a DICOM file');
    expect(problems.textContent).toContain('/lib/notes.txt');
    const row = (path: string) => within(problems).getByText(path).closest('[role="row"]')!.textContent;
    expect(row('/lib/a/copy.dcm')).toContain('Duplicate copyDuplicate copy of an indexed fileIdentical to /lib/a/IM1');
    expect(row('/lib/b/IM1')).toContain('ConflictConflict: a different file with the same SOP Instance UID');
    expect(row('/lib/c/IM9')).toContain('Indexed, flaggedPixel data truncatedPixel Data truncated: declares 100000 bytes, the file has 70000');
  });

  it('says what to do when the library is empty', async () => {
    const api = libraryApi().on('library-studies', () => ({ rows: [], total: 0 }));
    renderWithApi(<StudyTree search="" />, { client: api });
    await screen.findByText('The library is empty');
  });
});
