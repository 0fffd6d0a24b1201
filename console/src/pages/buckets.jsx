import { useEffect, useState } from 'preact/hooks';
import { admin, createBucket, deleteBucket, listBuckets, setVersioning } from '../api.js';
import { bytes, date } from '../format.js';
import { browserPath, navigate } from '../router.js';
import { Confirm, Dialog, Empty, ErrorNote, Loading, toast } from '../ui.jsx';
import { BucketIcon } from '../icons.jsx';
import { BucketSettings } from './bucket_settings.jsx';

function CreateBucket({ onClose, onCreated }) {
  const [name, setName] = useState('');
  const [versioning, setVersioningOn] = useState(false);
  const [lock, setLock] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const valid = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..');
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await createBucket(name, { objectLock: lock });
      if (versioning && !lock) await setVersioning(name, true);
      onCreated(name);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Create bucket" onClose={onClose} testid="create-bucket">
      <form onSubmit={submit}>
        <label>
          Name
          <input
            name="bucket"
            value={name}
            onInput={(e) => setName(e.currentTarget.value.trim())}
            placeholder="my-bucket"
            aria-describedby="bucket-rules"
          />
        </label>
        <p id="bucket-rules" class="hint">
          3 to 63 characters: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.
        </p>
        <label class="check">
          <input type="checkbox" checked={versioning || lock} disabled={lock} onChange={(e) => setVersioningOn(e.currentTarget.checked)} />
          Versioning: keep every version of every object
        </label>
        <label class="check">
          <input type="checkbox" checked={lock} onChange={(e) => setLock(e.currentTarget.checked)} />
          Object lock: allow retention and legal holds (turns versioning on; cannot be undone)
        </label>
        <ErrorNote error={error} />
        <div class="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button class="primary" type="submit" disabled={!valid || busy}>
            {busy ? 'Creating…' : 'Create bucket'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function Buckets({ session }) {
  const mayCreate = session?.allowed?.['s3:CreateBucket'] !== false;
  const [buckets, setBuckets] = useState(null);
  const [error, setError] = useState(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState(null);
  const [filter, setFilter] = useState('');
  const [settings, setSettings] = useState(null);
  const [usage, setUsage] = useState(null);
  const load = () => {
    setError(null);
    listBuckets()
      .then(setBuckets)
      .catch((e) => {
        setError(e);
        setBuckets([]);
      });
  };
  useEffect(load, []);
  // Object counts and sizes as the scanner last counted them (admin:DataUsageInfo; hidden
  // without it).
  useEffect(() => {
    admin('GET', 'datausageinfo')
      .then(setUsage)
      .catch(() => setUsage(null));
  }, [buckets]);
  const shown = (buckets || []).filter((b) => b.name.includes(filter));
  return (
    <section aria-labelledby="buckets-title">
      <div class="page-head">
        <h1 id="buckets-title">Buckets</h1>
        <div class="spacer" />
        <input
          class="search"
          type="search"
          placeholder="Filter buckets"
          aria-label="Filter buckets"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        {mayCreate ? (
          <button class="primary" onClick={() => setCreating(true)} data-testid="create-bucket-button">
            Create bucket
          </button>
        ) : null}
      </div>
      <ErrorNote error={error} />
      {usage ? (
        <p class="hint" data-testid="usage-note">
          Objects and sizes as the scanner last counted them{usage.lastUpdate ? ` (${date(usage.lastUpdate)})` : ' (not every set counted yet)'}: the newest version of each key.
        </p>
      ) : null}
      {buckets === null ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty title={filter ? 'No bucket matches' : 'No buckets yet'}>
          {filter ? null : <p>A bucket holds objects. Create one to upload files.</p>}
        </Empty>
      ) : (
        <table class="list" data-testid="bucket-list">
          <thead>
            <tr>
              <th>Name</th>
              <th class="right">Objects</th>
              <th class="right">Size</th>
              <th class="hide-narrow">Created</th>
              <th class="right">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((b) => (
              <tr key={b.name}>
                <td>
                  <a
                    href={browserPath(b.name)}
                    class="bucket-link"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(browserPath(b.name));
                    }}
                  >
                    <BucketIcon /> {b.name}
                  </a>
                </td>
                <td class="right" data-testid="bucket-objects">{usage?.bucketsUsageInfo?.[b.name] ? usage.bucketsUsageInfo[b.name].objectsCount.toLocaleString() : '—'}</td>
                <td class="right">{usage?.bucketsUsageInfo?.[b.name] ? bytes(usage.bucketsUsageInfo[b.name].size) : '—'}</td>
                <td class="hide-narrow">{date(b.created)}</td>
                <td class="right">
                  <button class="small" onClick={() => setSettings(b.name)} aria-label={`Settings of ${b.name}`}>
                    Settings
                  </button>
                  <button class="small danger-text" onClick={() => setDeleting(b.name)} aria-label={`Delete bucket ${b.name}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating ? (
        <CreateBucket
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            toast(`Bucket ${name} created`, 'success');
            load();
          }}
        />
      ) : null}
      {settings ? <BucketSettings bucket={settings} onClose={() => setSettings(null)} /> : null}
      {deleting ? (
        <Confirm
          title="Delete bucket"
          message={`Delete the bucket ${deleting}? It must be empty.`}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await deleteBucket(deleting);
            toast(`Bucket ${deleting} deleted`, 'success');
            load();
          }}
        />
      ) : null}
    </section>
  );
}
