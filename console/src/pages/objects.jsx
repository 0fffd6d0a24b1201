import { useEffect, useRef, useState } from 'preact/hooks';
import { allKeys, deleteKeys, listObjects, objectPath } from '../api.js';
import { baseName, bytes, date } from '../format.js';
import { browserPath, navigate, parseBrowserPath } from '../router.js';
import { uploadFile } from '../uploads.js';
import { Confirm, Dialog, Empty, ErrorNote, Loading, toast } from '../ui.jsx';
import { Details } from './details.jsx';
import { Uploads } from './uploads_panel.jsx';
import { FileIcon, FolderIcon, RefreshIcon } from '../icons.jsx';

const PAGE = 200;

function Breadcrumbs({ bucket, prefix }) {
  const parts = prefix ? prefix.replace(/\/$/, '').split('/') : [];
  const go = (p) => (e) => {
    e.preventDefault();
    navigate(p);
  };
  return (
    <nav class="crumbs" aria-label="Location">
      <a href="/browser" onClick={go('/browser')}>
        Buckets
      </a>
      <span aria-hidden="true">/</span>
      <a href={browserPath(bucket)} onClick={go(browserPath(bucket))}>
        {bucket}
      </a>
      {parts.map((p, i) => {
        const to = browserPath(bucket, parts.slice(0, i + 1).join('/') + '/');
        return (
          <>
            <span aria-hidden="true">/</span>
            {i === parts.length - 1 ? (
              <span aria-current="page">{p}</span>
            ) : (
              <a href={to} onClick={go(to)}>
                {p}
              </a>
            )}
          </>
        );
      })}
    </nav>
  );
}

// Files of a drop, folders walked (webkitGetAsEntry), each with its path relative to the drop.
async function droppedFiles(dataTransfer) {
  const out = [];
  const entries = Array.from(dataTransfer.items || [])
    .map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null))
    .filter(Boolean);
  if (!entries.length) {
    return Array.from(dataTransfer.files).map((f) => ({ file: f, path: f.name }));
  }
  const walk = async (entry, dir) => {
    if (entry.isFile) {
      const file = await new Promise((res, rej) => entry.file(res, rej));
      out.push({ file, path: dir + entry.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) await walk(e, `${dir}${entry.name}/`);
      }
    }
  };
  for (const e of entries) await walk(e, '');
  return out;
}

function NewFolder({ onClose, onCreate }) {
  const [name, setName] = useState('');
  const valid = name && !name.includes('/') && name !== '.' && name !== '..';
  return (
    <Dialog title="New folder" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onCreate(name);
        }}
      >
        <label>
          Name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <p class="hint">S3 has no folders: this one exists once you upload into it.</p>
        <div class="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button class="primary" type="submit" disabled={!valid}>
            Open folder
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function ObjectBrowser({ path, session }) {
  const { bucket, prefix } = parseBrowserPath(path);
  const [search, setSearch] = useState('');
  const [page, setPage] = useState({ folders: [], objects: [], nextToken: '', truncated: false });
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState(new Set());
  const [details, setDetails] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const [uploads, setUploads] = useState([]);
  const [dragging, setDragging] = useState(false);
  const [folderDialog, setFolderDialog] = useState(false);
  const fileInput = useRef(null);
  const folderInput = useRef(null);
  const generation = useRef(0);

  const listPrefix = prefix + search;
  const load = async (token) => {
    const gen = ++generation.current;
    token ? setMore(true) : setLoading(true);
    setError(null);
    try {
      const p = await listObjects(bucket, { prefix: listPrefix, token, maxKeys: PAGE });
      if (gen !== generation.current) return;
      setPage((old) =>
        token
          ? { ...p, folders: [...old.folders, ...p.folders], objects: [...old.objects, ...p.objects] }
          : p,
      );
    } catch (e) {
      if (gen === generation.current) setError(e);
    } finally {
      if (gen === generation.current) {
        setLoading(false);
        setMore(false);
      }
    }
  };
  useEffect(() => {
    setSelected(new Set());
    setDetails(null);
    const t = setTimeout(() => load(), search ? 250 : 0);
    return () => clearTimeout(t);
  }, [bucket, prefix, search]);
  useEffect(() => setSearch(''), [bucket, prefix]);

  const startUploads = (items) => {
    const batch = items.map(({ file, path: rel }) => {
      const key = prefix + rel;
      const u = { id: `${Date.now()}-${Math.random()}`, key, size: file.size, sent: 0, state: 'uploading', error: '' };
      const job = uploadFile(bucket, key, file, (sent) => {
        u.sent = sent;
        setUploads((xs) => [...xs]);
      });
      u.cancel = job.cancel;
      job.promise
        .then(() => {
          u.state = 'done';
          u.sent = u.size;
        })
        .catch((e) => {
          u.state = e.code === 'Cancelled' ? 'cancelled' : 'failed';
          u.error = e.message;
        })
        .finally(() => {
          setUploads((xs) => [...xs]);
          if (batch.every((x) => x.state !== 'uploading')) {
            const failed = batch.filter((x) => x.state === 'failed').length;
            toast(failed ? `${failed} of ${batch.length} uploads failed` : `Uploaded ${batch.length} file${batch.length > 1 ? 's' : ''}`, failed ? 'error' : 'success');
            load();
          }
        });
      return u;
    });
    setUploads((xs) => [...xs.filter((x) => x.state === 'uploading'), ...batch]);
  };

  const onDrop = async (e) => {
    e.preventDefault();
    setDragging(false);
    const items = await droppedFiles(e.dataTransfer);
    if (items.length) startUploads(items);
  };

  const toggle = (key) => {
    const s = new Set(selected);
    s.has(key) ? s.delete(key) : s.add(key);
    setSelected(s);
  };
  const entries = [
    ...page.folders.map((f) => ({ key: f, folder: true })),
    ...page.objects.filter((o) => o.key !== listPrefix || !o.key.endsWith('/')).map((o) => ({ ...o, folder: false })),
  ];
  const allSelected = entries.length > 0 && entries.every((e) => selected.has(e.key));

  const deleteSelected = () => {
    const keys = Array.from(selected);
    const folders = keys.filter((k) => k.endsWith('/'));
    setConfirm({
      title: 'Delete',
      message:
        folders.length > 0
          ? `Delete ${keys.length} item${keys.length > 1 ? 's' : ''}, including everything under ${folders.join(', ')}?`
          : `Delete ${keys.length} object${keys.length > 1 ? 's' : ''}?`,
      run: async () => {
        let all = keys.filter((k) => !k.endsWith('/'));
        for (const f of folders) all = all.concat(await allKeys(bucket, f));
        const failed = await deleteKeys(bucket, all);
        if (failed.length) throw new Error(`${failed.length} could not be deleted: ${failed[0].message}`);
        toast(`Deleted ${all.length} object${all.length === 1 ? '' : 's'}`, 'success');
        setSelected(new Set());
        load();
      },
    });
  };

  const download = () => {
    const keys = Array.from(selected);
    if (keys.length === 1 && !keys[0].endsWith('/')) {
      const a = document.createElement('a');
      a.href = `${objectPath(bucket, keys[0])}?response-content-disposition=${encodeURIComponent(`attachment; filename="${baseName(keys[0]).replace(/"/g, '')}"`)}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      return;
    }
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = '/api/v1/zip';
    const field = (name, value) => {
      const i = document.createElement('input');
      i.type = 'hidden';
      i.name = name;
      i.value = value;
      form.appendChild(i);
    };
    field('csrf', session.csrf);
    field('bucket', bucket);
    field('prefix', prefix);
    for (const k of keys) field('key', k);
    document.body.appendChild(form);
    form.submit();
    form.remove();
  };

  return (
    <section
      class={`browser${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => e.currentTarget === e.target && setDragging(false)}
      onDrop={onDrop}
      aria-label="Objects"
    >
      <div class="page-head">
        <Breadcrumbs bucket={bucket} prefix={prefix} />
      </div>
      <div class="toolbar">
        <input
          class="search"
          type="search"
          placeholder={`Search in ${prefix || bucket + '/'} by prefix`}
          aria-label="Search by prefix"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        <div class="spacer" />
        <button onClick={() => load()} aria-label="Refresh">
          <RefreshIcon />
        </button>
        <button onClick={() => setFolderDialog(true)}>New folder</button>
        <button onClick={() => folderInput.current.click()}>Upload folder</button>
        <button class="primary" onClick={() => fileInput.current.click()} data-testid="upload-button">
          Upload files
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            startUploads(Array.from(e.currentTarget.files).map((f) => ({ file: f, path: f.name })));
            e.currentTarget.value = '';
          }}
        />
        <input
          ref={folderInput}
          type="file"
          webkitdirectory
          multiple
          hidden
          data-testid="folder-input"
          onChange={(e) => {
            startUploads(Array.from(e.currentTarget.files).map((f) => ({ file: f, path: f.webkitRelativePath || f.name })));
            e.currentTarget.value = '';
          }}
        />
      </div>
      {selected.size > 0 ? (
        <div class="selection-bar" role="region" aria-label="Selection">
          <span>{selected.size} selected</span>
          <button onClick={download} data-testid="download-selected">
            {selected.size === 1 && !Array.from(selected)[0].endsWith('/') ? 'Download' : 'Download as zip'}
          </button>
          <button class="danger" onClick={deleteSelected} data-testid="delete-selected">
            Delete
          </button>
          <button onClick={() => setSelected(new Set())}>Clear</button>
        </div>
      ) : null}
      <ErrorNote error={error} />
      {loading ? (
        <Loading />
      ) : entries.length === 0 && !error ? (
        <Empty title={search ? 'Nothing matches this prefix' : 'This folder is empty'}>
          <p>Drop files or folders here, or use Upload.</p>
        </Empty>
      ) : (
        <table class="list objects" data-testid="object-list">
          <thead>
            <tr>
              <th class="check">
                <input
                  type="checkbox"
                  aria-label="Select all"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(entries.map((e) => e.key)))}
                />
              </th>
              <th>Name</th>
              <th class="right">Size</th>
              <th class="hide-narrow">Last modified</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.key} class={selected.has(e.key) ? 'selected' : ''} data-key={e.key}>
                <td class="check">
                  <input type="checkbox" aria-label={`Select ${e.key}`} checked={selected.has(e.key)} onChange={() => toggle(e.key)} />
                </td>
                <td>
                  {e.folder ? (
                    <a
                      href={browserPath(bucket, e.key)}
                      class="folder"
                      onClick={(ev) => {
                        ev.preventDefault();
                        navigate(browserPath(bucket, e.key));
                      }}
                    >
                      <FolderIcon /> {baseName(e.key)}
                    </a>
                  ) : (
                    <button class="link" onClick={() => setDetails(e.key)}>
                      <FileIcon /> {baseName(e.key)}
                    </button>
                  )}
                </td>
                <td class="right">{e.folder ? '' : bytes(e.size)}</td>
                <td class="hide-narrow">{e.folder ? '' : date(e.modified)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!loading && page.truncated ? (
        <div class="more">
          <span>
            Showing {entries.length} entries
          </span>
          <button onClick={() => load(page.nextToken)} disabled={more} data-testid="load-more">
            {more ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : !loading && entries.length > 0 ? (
        <div class="more">
          <span data-testid="entry-count">{entries.length} entries</span>
        </div>
      ) : null}
      {details ? (
        <Details
          bucket={bucket}
          objectKey={details}
          session={session}
          onClose={() => setDetails(null)}
          onDeleted={() => {
            setDetails(null);
            load();
          }}
        />
      ) : null}
      {confirm ? <Confirm title={confirm.title} message={confirm.message} onConfirm={confirm.run} onClose={() => setConfirm(null)} /> : null}
      {folderDialog ? (
        <NewFolder
          onClose={() => setFolderDialog(false)}
          onCreate={(name) => {
            setFolderDialog(false);
            navigate(browserPath(bucket, `${prefix}${name}/`));
          }}
        />
      ) : null}
      <Uploads uploads={uploads} onClear={() => setUploads((xs) => xs.filter((x) => x.state === 'uploading'))} />
      {dragging ? <div class="drop-hint">Drop files or folders to upload to {bucket}/{prefix}</div> : null}
    </section>
  );
}
