import { bytes } from '../format.js';

// The uploads of this page: a bar per file and one for all, cancel for each.
export function Uploads({ uploads, onClear }) {
  if (!uploads.length) return null;
  const total = uploads.reduce((a, u) => a + u.size, 0);
  const sent = uploads.reduce((a, u) => a + Math.min(u.sent, u.size), 0);
  const running = uploads.filter((u) => u.state === 'uploading').length;
  const pct = total ? Math.round((sent / total) * 100) : 100;
  return (
    <aside class="uploads" aria-label="Uploads" data-testid="uploads">
      <header>
        <strong>{running ? `Uploading ${running} file${running > 1 ? 's' : ''}` : 'Uploads finished'}</strong>
        <span>
          {bytes(sent)} of {bytes(total)}
        </span>
        {running ? null : (
          <button class="small" onClick={onClear}>
            Close
          </button>
        )}
      </header>
      <progress max="100" value={pct} aria-label="All uploads" data-testid="overall-progress" />
      <ul>
        {uploads.map((u) => (
          <li key={u.id} class={u.state} data-state={u.state}>
            <div class="upload-name" title={u.key}>
              {u.key}
            </div>
            <progress max={u.size || 1} value={u.size ? Math.min(u.sent, u.size) : u.state === 'done' ? 1 : 0} aria-label={`Upload of ${u.key}`} />
            <div class="upload-state">
              {u.state === 'uploading' ? (
                <button class="small" onClick={() => u.cancel()} aria-label={`Cancel ${u.key}`}>
                  Cancel
                </button>
              ) : u.state === 'failed' ? (
                <span class="danger-text" title={u.error}>
                  Failed: {u.error}
                </span>
              ) : (
                <span>{u.state === 'done' ? 'Done' : 'Cancelled'}</span>
              )}
            </div>
          </li>
        ))}
      </ul>
    </aside>
  );
}
