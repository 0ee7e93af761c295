import { useRef, useState } from 'react';
import { formatBytes, formatCount, percent } from '../../ui/format';
import { filesOfInput } from './drop';
import { useIntakeState, useLibraryIntake } from './intake';

/** The ways into the library: drop (anywhere on the window), choose a folder (browser), or type a path. */
export function AddFolders() {
  const { addPaths, addFiles, canUpload } = useLibraryIntake();
  const upload = useIntakeState((s) => s.upload);
  const [path, setPath] = useState('');
  const [dragging, setDragging] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const filesInput = useRef<HTMLInputElement>(null);

  return (
    <div className="add-folders">
      <div
        className={`drop-zone ${dragging ? 'is-dragging' : ''}`}
        data-testid="drop-zone"
        onDragEnter={() => setDragging(true)}
        onDragLeave={() => setDragging(false)}
        onDrop={() => setDragging(false)}
      >
        <p className="drop-title">
          <span aria-hidden="true">⇩ </span>Drop folders of DICOM studies here (or anywhere on this window)
        </p>
        {canUpload && (
          <p className="drop-actions">
            <button type="button" className="btn" onClick={() => folderInput.current?.click()}>
              Choose a folder…
            </button>
            <button type="button" className="btn" onClick={() => filesInput.current?.click()}>
              Choose files…
            </button>
            <span className="muted">They are uploaded to the Safekeep server, keeping their folders.</span>
            <input
              ref={folderInput}
              type="file"
              hidden
              multiple
              aria-label="Folder to upload"
              data-testid="folder-input"
              {...{ webkitdirectory: '' }}
              onChange={(e) => {
                const list = e.target.files;
                if (list?.length) void addFiles(filesOfInput(list), list[0]!.webkitRelativePath.split('/')[0] || 'folder');
                e.target.value = '';
              }}
            />
            <input
              ref={filesInput}
              type="file"
              hidden
              multiple
              aria-label="Files to upload"
              onChange={(e) => {
                const list = e.target.files;
                if (list?.length) void addFiles(filesOfInput(list), `${list.length} file(s)`);
                e.target.value = '';
              }}
            />
          </p>
        )}
        {upload && (
          <div className="upload-progress" role="status" aria-live="polite">
            Uploading {upload.label}: {formatCount(upload.files)} of {formatCount(upload.totalFiles)} files ({formatBytes(upload.bytes)} of {formatBytes(upload.totalBytes)})
            <progress max={100} value={percent(upload.files, upload.totalFiles)} aria-label="Upload progress" />
          </div>
        )}
      </div>
      <form
        className="add-path"
        onSubmit={async (e) => {
          e.preventDefault();
          const p = path.trim();
          if (p && (await addPaths([p]))) setPath('');
        }}
      >
        <label htmlFor="add-folder-path">Add folder by path</label>
        <input
          id="add-folder-path"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/data/exported-studies"
          spellCheck={false}
          autoComplete="off"
        />
        <button type="submit" className="btn btn-primary" disabled={!path.trim()}>
          Add folder
        </button>
      </form>
    </div>
  );
}
