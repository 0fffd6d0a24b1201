import { useEffect, useState } from 'preact/hooks';
import {
  deleteObject,
  encodeKey,
  getLegalHold,
  getRetention,
  getTags,
  headObject,
  listVersions,
  objectPath,
  putTags,
  lockEnabled,
  restoreVersion,
  s3,
  setLegalHold,
  setRetention,
  share,
} from '../api.js';
import { baseName, bytes, date, duration } from '../format.js';
import { Confirm, Dialog, ErrorNote, Loading, toast } from '../ui.jsx';

const TEXT_PREVIEW = 256 * 1024;

function kindOf(type, key) {
  const ext = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  if (type.startsWith('image/') || ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp'].includes(ext)) return 'image';
  if (type.startsWith('video/') || ['mp4', 'webm', 'ogv', 'mov'].includes(ext)) return 'video';
  if (type === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (
    type.startsWith('text/') ||
    ['application/json', 'application/xml', 'application/x-yaml'].includes(type) ||
    ['txt', 'md', 'json', 'csv', 'log', 'yaml', 'yml', 'xml', 'ini', 'conf', 'sh', 'py', 'js', 'c', 'h', 'cc', 'go', 'rs'].includes(ext)
  )
    return 'text';
  return '';
}

// A PDF from a blob of the page's own making, typed application/pdf whatever the object's
// Content-Type says: the browser's viewer shows it, and no object can pass for a page.
function PdfPreview({ bucket, objectKey, versionId }) {
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let made = null;
    s3('GET', `/${encodeURIComponent(bucket)}/${encodeKey(objectKey)}`, { versionId })
      .then((r) => r.arrayBuffer())
      .then((buf) => {
        made = URL.createObjectURL(new Blob([buf], { type: 'application/pdf' }));
        setUrl(made);
      })
      .catch(setError);
    return () => made && URL.revokeObjectURL(made);
  }, [bucket, objectKey, versionId]);
  if (error) return <ErrorNote error={error} />;
  if (!url) return <Loading />;
  return <iframe class="preview pdf" src={url} title={`Preview of ${baseName(objectKey)}`} />;
}

function Preview({ bucket, objectKey, type, versionId }) {
  const kind = kindOf(type, objectKey);
  const url = objectPath(bucket, objectKey) + (versionId ? `?versionId=${encodeURIComponent(versionId)}` : '');
  const [text, setText] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (kind !== 'text') return;
    s3('GET', `/${encodeURIComponent(bucket)}/${encodeKey(objectKey)}`, { versionId }, { headers: { Range: `bytes=0-${TEXT_PREVIEW - 1}` } })
      .then((r) => r.text())
      .then(setText)
      .catch(setError);
  }, [bucket, objectKey, versionId]);
  if (!kind) return <p class="hint">No preview for this type ({type || 'unknown'}). Download it instead.</p>;
  if (kind === 'image') return <img class="preview" src={url} alt={`Preview of ${baseName(objectKey)}`} />;
  if (kind === 'video') return <video class="preview" src={url} controls preload="metadata" />;
  if (kind === 'pdf') return <PdfPreview bucket={bucket} objectKey={objectKey} versionId={versionId} />;
  if (error) return <ErrorNote error={error} />;
  if (text === null) return <Loading />;
  return <pre class="preview text" data-testid="text-preview">{text}</pre>;
}

function ShareDialog({ bucket, objectKey, versionId, session, onClose }) {
  const remaining = Math.max(1, Math.floor((session.expiresAt - Date.now()) / 1000));
  const choices = [
    [600, '10 minutes'],
    [3600, '1 hour'],
    [43200, '12 hours'],
    [86400, '1 day'],
    [604800, '7 days'],
  ];
  const [expires, setExpires] = useState(Math.min(3600, remaining));
  const [custom, setCustom] = useState('');
  const [link, setLink] = useState(null);
  const [error, setError] = useState(null);
  const make = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const seconds = custom ? Math.round(Number(custom)) : expires;
      setLink(await share(bucket, objectKey, seconds, versionId));
    } catch (err) {
      setError(err);
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link.url);
      toast('Link copied', 'success');
    } catch {
      document.getElementById('share-url').select();
      toast('Select the link and copy it', 'info');
    }
  };
  return (
    <Dialog title={`Share ${baseName(objectKey)}`} onClose={onClose} testid="share-dialog">
      <form onSubmit={make}>
        <label>
          Link works for
          <select value={expires} onChange={(e) => setExpires(Number(e.currentTarget.value))} disabled={!!custom}>
            {choices.map(([s, label]) => (
              <option key={s} value={Math.min(s, remaining)} disabled={s > remaining}>
                {label}
                {s > remaining ? ' (longer than your session)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Or seconds
          <input name="seconds" type="number" min="1" max={remaining} value={custom} onInput={(e) => setCustom(e.currentTarget.value)} />
        </label>
        <p class="hint">
          A link is signed with your session's credentials, so it works at most until your session ends (in {duration(remaining)}).
        </p>
        <ErrorNote error={error} />
        <div class="actions">
          <button class="primary" type="submit" data-testid="make-link">
            Create link
          </button>
        </div>
      </form>
      {link ? (
        <div class="share-result">
          <input id="share-url" readonly value={link.url} aria-label="Share link" data-testid="share-url" onFocus={(e) => e.currentTarget.select()} />
          <button onClick={copy}>Copy</button>
          <p class="hint">Expires {new Date(link.expiresAt).toLocaleString()}.</p>
        </div>
      ) : null}
    </Dialog>
  );
}

function Tags({ bucket, objectKey, versionId }) {
  const [tags, setTags] = useState(null);
  const [error, setError] = useState(null);
  const [edit, setEdit] = useState(false);
  const [k, setK] = useState('');
  const [v, setV] = useState('');
  const load = () => getTags(bucket, objectKey, versionId).then(setTags).catch(setError);
  useEffect(() => {
    load();
  }, [bucket, objectKey, versionId]);
  const save = async (next) => {
    setError(null);
    try {
      await putTags(bucket, objectKey, next, versionId);
      setTags(next);
      setK('');
      setV('');
    } catch (e) {
      setError(e);
    }
  };
  if (tags === null && !error) return <Loading />;
  return (
    <div>
      <ErrorNote error={error} />
      {tags && tags.length ? (
        <ul class="tags">
          {tags.map((t) => (
            <li key={t.key}>
              <span class="tag">
                {t.key}={t.value}
              </span>
              {edit ? (
                <button class="small" onClick={() => save(tags.filter((x) => x.key !== t.key))} aria-label={`Remove tag ${t.key}`}>
                  ×
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">No tags.</p>
      )}
      {edit ? (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (k) save([...(tags || []).filter((x) => x.key !== k), { key: k, value: v }]);
          }}
        >
          <input placeholder="key" aria-label="Tag key" value={k} onInput={(e) => setK(e.currentTarget.value)} />
          <input placeholder="value" aria-label="Tag value" value={v} onInput={(e) => setV(e.currentTarget.value)} />
          <button type="submit">Add</button>
          <button type="button" onClick={() => setEdit(false)}>
            Done
          </button>
        </form>
      ) : (
        <button class="small" onClick={() => setEdit(true)}>
          Edit tags
        </button>
      )}
    </div>
  );
}

function Versions({ bucket, objectKey, onChanged }) {
  const [versions, setVersions] = useState(null);
  const [error, setError] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const load = () =>
    listVersions(bucket, objectKey)
      .then(setVersions)
      .catch((e) => {
        setError(e);
        setVersions([]);
      });
  useEffect(() => {
    load();
  }, [bucket, objectKey]);
  if (versions === null) return <Loading />;
  if (versions.length <= 1 && !error) return <p class="hint">One version (turn versioning on for the bucket to keep others).</p>;
  return (
    <div>
      <ErrorNote error={error} />
      <table class="list compact">
        <tbody>
          {versions.map((v) => (
            <tr key={v.versionId}>
              <td>
                <code title={v.versionId}>{v.versionId.slice(0, 12)}</code>
                {v.latest ? <span class="badge">current</span> : null}
                {v.deleteMarker ? <span class="badge warn">delete marker</span> : null}
              </td>
              <td>{v.deleteMarker ? '' : bytes(v.size)}</td>
              <td class="hide-narrow">{date(v.modified)}</td>
              <td class="right">
                {!v.latest && !v.deleteMarker ? (
                  <button
                    class="small"
                    onClick={async () => {
                      try {
                        await restoreVersion(bucket, objectKey, v.versionId);
                        toast('Version restored', 'success');
                        load();
                        onChanged();
                      } catch (e) {
                        setError(e);
                      }
                    }}
                  >
                    Restore
                  </button>
                ) : null}
                <button
                  class="small danger-text"
                  onClick={() =>
                    setConfirm({
                      message: `Delete version ${v.versionId} for good?`,
                      run: async () => {
                        await deleteObject(bucket, objectKey, v.versionId);
                        load();
                        onChanged();
                      },
                    })
                  }
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirm ? <Confirm title="Delete version" message={confirm.message} onConfirm={confirm.run} onClose={() => setConfirm(null)} /> : null}
    </div>
  );
}

function RetentionForm({ bucket, objectKey, onChanged }) {
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState('GOVERNANCE');
  const [until, setUntil] = useState('');
  const [error, setError] = useState(null);
  if (!open) {
    return (
      <button class="small" onClick={() => setOpen(true)}>
        Set retention
      </button>
    );
  }
  return (
    <form
      class="inline"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          await setRetention(bucket, objectKey, mode, new Date(until).toISOString());
          setOpen(false);
          onChanged();
        } catch (err) {
          setError(err);
        }
      }}
    >
      <select aria-label="Retention mode" value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
        <option value="GOVERNANCE">Governance</option>
        <option value="COMPLIANCE">Compliance</option>
      </select>
      <input aria-label="Retain until" type="datetime-local" required value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
      <button type="submit">Save</button>
      <ErrorNote error={error} />
    </form>
  );
}

export function Details({ bucket, objectKey, session, onClose, onDeleted }) {
  const [head, setHead] = useState(null);
  const [lock, setLock] = useState(null);
  const [error, setError] = useState(null);
  const [tab, setTab] = useState('overview');
  const [sharing, setSharing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const load = () => {
    setError(null);
    headObject(bucket, objectKey)
      .then(setHead)
      .catch(setError);
    Promise.all([getRetention(bucket, objectKey), getLegalHold(bucket, objectKey), lockEnabled(bucket)])
      .then(([retention, hold, enabled]) => setLock({ retention, hold, enabled }))
      .catch(() => setLock({ retention: null, hold: null, enabled: false }));
  };
  useEffect(load, [bucket, objectKey]);
  const h = head?.headers || {};
  const checksums = Object.entries(h).filter(([k]) => k.startsWith('x-amz-checksum-') && k !== 'x-amz-checksum-type');
  const download = `${objectPath(bucket, objectKey)}?response-content-disposition=${encodeURIComponent(`attachment; filename="${baseName(objectKey).replace(/"/g, '')}"`)}`;
  return (
    <Dialog title={baseName(objectKey)} onClose={onClose} wide testid="details">
      <div class="tabs" role="tablist">
        {['overview', 'preview', 'tags', 'versions'].map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} class={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
            {t[0].toUpperCase() + t.slice(1)}
          </button>
        ))}
      </div>
      <ErrorNote error={error} />
      {tab === 'overview' ? (
        head ? (
          <dl class="props">
            <dt>Key</dt>
            <dd data-testid="detail-key">{objectKey}</dd>
            <dt>Size</dt>
            <dd>
              {bytes(Number(h['content-length']))} ({Number(h['content-length']).toLocaleString()} bytes)
            </dd>
            <dt>Last modified</dt>
            <dd>{date(h['last-modified'])}</dd>
            <dt>ETag</dt>
            <dd>
              <code>{h.etag}</code>
            </dd>
            <dt>Content type</dt>
            <dd>{h['content-type']}</dd>
            {h['x-amz-version-id'] ? (
              <>
                <dt>Version</dt>
                <dd>
                  <code>{h['x-amz-version-id']}</code>
                </dd>
              </>
            ) : null}
            {h['x-amz-server-side-encryption'] ? (
              <>
                <dt>Encryption</dt>
                <dd>{h['x-amz-server-side-encryption']}</dd>
              </>
            ) : null}
            {checksums.map(([k, v]) => (
              <>
                <dt>{k.slice('x-amz-checksum-'.length).toUpperCase()}</dt>
                <dd>
                  <code>{v}</code>
                </dd>
              </>
            ))}
            {lock?.enabled || lock?.retention ? (
              <>
                <dt>Retention</dt>
                <dd>
                  {lock.retention?.mode ? `${lock.retention.mode} until ${date(lock.retention.until)}` : 'none'}
                  <RetentionForm bucket={bucket} objectKey={objectKey} onChanged={load} />
                </dd>
              </>
            ) : null}
            {lock?.enabled || lock?.hold ? (
              <>
                <dt>Legal hold</dt>
                <dd>
                  <span data-testid="legal-hold">{lock.hold || 'OFF'}</span>{' '}
                  <button
                    class="small"
                    onClick={async () => {
                      try {
                        await setLegalHold(bucket, objectKey, lock.hold !== 'ON');
                        load();
                      } catch (e) {
                        setError(e);
                      }
                    }}
                  >
                    {lock.hold === 'ON' ? 'Release' : 'Place hold'}
                  </button>
                </dd>
              </>
            ) : null}
            <dt>Metadata</dt>
            <dd>
              {Object.keys(head.meta).length ? (
                <ul class="meta">
                  {Object.entries(head.meta).map(([k, v]) => (
                    <li key={k}>
                      <code>{k}</code>: {v}
                    </li>
                  ))}
                </ul>
              ) : (
                <span class="hint">none</span>
              )}
            </dd>
          </dl>
        ) : error ? null : (
          <Loading />
        )
      ) : null}
      {tab === 'preview' && head ? <Preview bucket={bucket} objectKey={objectKey} type={h['content-type'] || ''} /> : null}
      {tab === 'tags' ? <Tags bucket={bucket} objectKey={objectKey} /> : null}
      {tab === 'versions' ? <Versions bucket={bucket} objectKey={objectKey} onChanged={load} /> : null}
      <div class="actions">
        <a class="button" href={download} data-testid="download">
          Download
        </a>
        <button onClick={() => setSharing(true)} data-testid="share">
          Share
        </button>
        <button class="danger" onClick={() => setDeleting(true)} data-testid="delete-object">
          Delete
        </button>
      </div>
      {sharing ? <ShareDialog bucket={bucket} objectKey={objectKey} session={session} onClose={() => setSharing(false)} /> : null}
      {deleting ? (
        <Confirm
          title="Delete object"
          message={`Delete ${objectKey}?`}
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await deleteObject(bucket, objectKey);
            toast(`Deleted ${baseName(objectKey)}`, 'success');
            onDeleted();
          }}
        />
      ) : null}
    </Dialog>
  );
}
