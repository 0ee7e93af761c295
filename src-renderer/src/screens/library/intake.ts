import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { create } from 'zustand';
import type { UploadItem, UploadProgress } from '../../api/upload';
import { useAppApi } from '../../api/context';
import { handlerKey } from '../../data/keys';
import { useToasts } from '../../state/toasts';
import { useNavigation } from '../../state/navigation';
import { filesOfDropped, grabDropped } from './drop';
import { watchScan } from './scan-notice';

/** An upload in progress (browser mode), shown in the Library. */
interface IntakeState {
  upload: (UploadProgress & { label: string }) | null;
  set(upload: IntakeState['upload']): void;
}

export const useIntakeState = create<IntakeState>((set) => ({ upload: null, set: (upload) => set({ upload }) }));

/**
 * Bringing folders into the library: by path (both modes), by drop (Electron: the
 * dropped files' real paths; browser: an upload that keeps the folder structure,
 * then a scan of the uploaded folder).
 */
export function useLibraryIntake() {
  const { client, http, preload } = useAppApi();
  const qc = useQueryClient();
  const toast = useToasts((s) => s.show);
  const go = useNavigation((s) => s.go);

  const addPaths = useCallback(
    async (paths: string[], label?: string): Promise<boolean> => {
      const what = label ?? (paths.length === 1 ? paths[0]! : `${paths.length} folders`);
      const r = await client.send('library-add-folders', { paths });
      if (!r.ok) {
        toast('error', `Cannot add ${what}: ${r.error.message}`);
        return false;
      }
      void qc.invalidateQueries({ queryKey: handlerKey('library-scan-state') });
      void qc.invalidateQueries({ queryKey: handlerKey('library-summary') });
      watchScan(qc, r.value.scanId, what);
      return true;
    },
    [client, qc, toast],
  );

  const addFiles = useCallback(
    async (items: UploadItem[], label: string): Promise<boolean> => {
      if (!http) return false;
      if (items.length === 0) {
        useIntakeState.getState().set(null);
        toast('error', 'Nothing to add: the drop held no file');
        return false;
      }
      const state = useIntakeState.getState();
      state.set({ label, files: 0, totalFiles: items.length, bytes: 0, totalBytes: 0 });
      const r = await http.upload(items, { onProgress: (p) => useIntakeState.getState().set({ ...p, label }) });
      useIntakeState.getState().set(null);
      if (!r.ok) {
        toast('error', `Upload failed: ${r.error.message}`);
        return false;
      }
      return addPaths([r.value.folder], `the upload of ${label}`);
    },
    [http, addPaths, toast],
  );

  /** A drop anywhere on the window. Must be called during the drop event. */
  const addDropped = useCallback(
    (dt: DataTransfer) => {
      go({ screen: 'library' });
      if (preload) {
        const paths = preload.pathsOf([...dt.files]);
        if (paths.length === 0) return void toast('error', 'Nothing to add: the drop held no file or folder');
        void addPaths(paths);
        return;
      }
      const dropped = grabDropped(dt);
      const label = [...dropped.entries.map((e) => e.name), ...dropped.files.map((f) => f.name)].slice(0, 3).join(', ');
      // Walking big folders takes a moment: say so at once.
      useIntakeState.getState().set({ label: `${label} (reading the folders…)`, files: 0, totalFiles: 0, bytes: 0, totalBytes: 0 });
      void filesOfDropped(dropped)
        .then((items) => addFiles(items, label))
        .catch((e) => {
          useIntakeState.getState().set(null);
          toast('error', `Cannot read the dropped items: ${e instanceof Error ? e.message : String(e)}`);
        });
    },
    [preload, addPaths, addFiles, go, toast],
  );

  return { addPaths, addFiles, addDropped, canUpload: http !== null };
}
