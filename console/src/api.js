// The console's calls: its own session API (/api/v1/login, session, logout, share) and
// cairn's S3 and admin APIs through the console port's gateway (/api/v1/s3/..., 
// /api/v1/admin/...), which signs them as the signed-in user. The session cookie is HttpOnly:
// this code never sees a key. Every change carries the CSRF token the session API returned.

let csrf = '';
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
  }
}

// Called with the error when the server says the session is gone (expired, signed out).
export function setSignedOutHandler(fn) {
  onSignedOut = fn;
}

async function errorOf(res) {
  const text = await res.text();
  let code = '';
  let message = '';
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text);
      code = j.Code || '';
      message = j.Message || '';
    } catch {
      /* not JSON after all */
    }
  } else if (text.includes('<Error>')) {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    code = doc.querySelector('Code')?.textContent || '';
    message = doc.querySelector('Message')?.textContent || '';
  }
  if (!code && res.status === 404) code = 'NotFound';
  const err = new ApiError(res.status, code, message || `${res.status} ${res.statusText}`);
  if (res.status === 401) onSignedOut(err);
  return err;
}

async function call(url, { method = 'GET', headers = {}, body, signal } = {}) {
  const h = { ...headers };
  if (method !== 'GET' && method !== 'HEAD') h['X-Cairn-Csrf'] = csrf;
  const res = await fetch(url, { method, headers: h, body, signal, credentials: 'same-origin' });
  if (!res.ok) throw await errorOf(res);
  return res;
}

async function json(url, opts) {
  const res = await call(url, opts);
  return res.json();
}

// ---- session ------------------------------------------------------------------------------

function remember(s) {
  csrf = s.csrf;
  return s;
}

export async function getSession() {
  const res = await fetch('/api/v1/session', { credentials: 'same-origin' });
  if (res.status === 401) return null;
  if (!res.ok) throw await errorOf(res);
  return remember(await res.json());
}

export async function login(accessKey, secretKey) {
  const res = await fetch('/api/v1/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ accessKey, secretKey }),
    credentials: 'same-origin',
  });
  if (!res.ok) {
    const text = await res.text();
    let message = `${res.status} ${res.statusText}`;
    try {
      message = JSON.parse(text).Message || message;
    } catch {
      /* keep the status line */
    }
    throw new ApiError(res.status, 'LoginFailed', message);
  }
  return remember(await res.json());
}

export async function logout() {
  await call('/api/v1/logout', { method: 'POST' });
  csrf = '';
}

export function share(bucket, key, expires, versionId) {
  return json('/api/v1/share', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ bucket, key, expires, versionId }),
  });
}

export function csrfToken() {
  return csrf;
}

// ---- S3 -----------------------------------------------------------------------------------

// A key in the gateway's path: one escaped segment ('/' as %2F), so that no "." or ".."
// segment of a key can be collapsed by the browser into another object's (or bucket's) path.
// The keys "." and ".." themselves cannot travel in a path at all.
export function encodeKey(key) {
  if (key === '.' || key === '..') throw new ApiError(400, 'InvalidKey', `The console cannot address the key "${key}"; use an S3 client.`);
  return encodeURIComponent(key);
}

// The gateway URL of an object (for links); "#" for a key no path can carry.
export function objectPath(bucket, key) {
  try {
    return `/api/v1/s3/${encodeURIComponent(bucket)}/${encodeKey(key)}`;
  } catch {
    return '#';
  }
}

function query(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === false) continue;
    parts.push(v === true ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export function s3(method, path, params = {}, opts = {}) {
  return call(`/api/v1/s3${path}${query(params)}`, { ...opts, method });
}

async function xml(method, path, params, opts) {
  const res = await s3(method, path, params, opts);
  const text = await res.text();
  return new DOMParser().parseFromString(text, 'application/xml');
}

const text = (el, name) => el.getElementsByTagName(name)[0]?.textContent ?? '';
const all = (el, name) => Array.from(el.getElementsByTagName(name));

export async function listBuckets() {
  const doc = await xml('GET', '/');
  return all(doc, 'Bucket').map((b) => ({ name: text(b, 'Name'), created: text(b, 'CreationDate') }));
}

export function createBucket(name, { objectLock = false } = {}) {
  const headers = objectLock ? { 'x-amz-bucket-object-lock-enabled': 'true' } : {};
  return s3('PUT', `/${encodeURIComponent(name)}`, {}, { headers });
}

export function deleteBucket(name) {
  return s3('DELETE', `/${encodeURIComponent(name)}`);
}

// One page of a prefix: its folders (common prefixes) and objects, never a full listing.
export async function listObjects(bucket, { prefix = '', delimiter = '/', token, maxKeys = 200, signal } = {}) {
  const doc = await xml(
    'GET',
    `/${encodeURIComponent(bucket)}`,
    { 'list-type': 2, prefix, delimiter, 'continuation-token': token, 'max-keys': maxKeys, 'fetch-owner': false },
    { signal },
  );
  return {
    folders: all(doc, 'CommonPrefixes').map((p) => text(p, 'Prefix')),
    objects: all(doc, 'Contents').map((c) => ({
      key: text(c, 'Key'),
      size: Number(text(c, 'Size')),
      modified: text(c, 'LastModified'),
      etag: text(c, 'ETag'),
    })),
    truncated: text(doc, 'IsTruncated') === 'true',
    nextToken: text(doc, 'NextContinuationToken'),
  };
}

export async function headObject(bucket, key, versionId) {
  const res = await call(objectPath(bucket, key) + query({ versionId }), { method: 'HEAD' });
  const meta = {};
  const headers = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
    if (k.startsWith('x-amz-meta-')) meta[k.slice(11)] = v;
  });
  return { headers, meta };
}

export async function getTags(bucket, key, versionId) {
  const doc = await xml('GET', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { tagging: true, versionId });
  return all(doc, 'Tag').map((t) => ({ key: text(t, 'Key'), value: text(t, 'Value') }));
}

export function putTags(bucket, key, tags, versionId) {
  const body =
    '<Tagging><TagSet>' +
    tags.map((t) => `<Tag><Key>${esc(t.key)}</Key><Value>${esc(t.value)}</Value></Tag>`).join('') +
    '</TagSet></Tagging>';
  return s3('PUT', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { tagging: true, versionId }, { body });
}

export async function listVersions(bucket, key) {
  const doc = await xml('GET', `/${encodeURIComponent(bucket)}`, { versions: true, prefix: key, 'max-keys': 100 });
  const out = [];
  for (const el of Array.from(doc.documentElement.children)) {
    if (el.tagName !== 'Version' && el.tagName !== 'DeleteMarker') continue;
    if (text(el, 'Key') !== key) continue;
    out.push({
      versionId: text(el, 'VersionId'),
      latest: text(el, 'IsLatest') === 'true',
      modified: text(el, 'LastModified'),
      size: Number(text(el, 'Size') || 0),
      deleteMarker: el.tagName === 'DeleteMarker',
    });
  }
  return out;
}

export async function getVersioning(bucket) {
  const doc = await xml('GET', `/${encodeURIComponent(bucket)}`, { versioning: true });
  return text(doc, 'Status') || 'Unversioned';
}

export function setVersioning(bucket, enabled) {
  const body = `<VersioningConfiguration><Status>${enabled ? 'Enabled' : 'Suspended'}</Status></VersioningConfiguration>`;
  return s3('PUT', `/${encodeURIComponent(bucket)}`, { versioning: true }, { body });
}

export async function getRetention(bucket, key, versionId) {
  try {
    const doc = await xml('GET', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { retention: true, versionId });
    return { mode: text(doc, 'Mode'), until: text(doc, 'RetainUntilDate') };
  } catch (e) {
    if (e.status === 404 || e.code === 'InvalidRequest' || e.code === 'NoSuchObjectLockConfiguration') return null;
    throw e;
  }
}

export async function getLegalHold(bucket, key, versionId) {
  try {
    const doc = await xml('GET', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { 'legal-hold': true, versionId });
    return text(doc, 'Status');
  } catch (e) {
    if (e.status === 404 || e.code === 'InvalidRequest' || e.code === 'NoSuchObjectLockConfiguration') return null;
    throw e;
  }
}

export async function lockEnabled(bucket) {
  try {
    const doc = await xml('GET', `/${encodeURIComponent(bucket)}`, { 'object-lock': true });
    return text(doc, 'ObjectLockEnabled') === 'Enabled';
  } catch {
    return false;
  }
}

export function setLegalHold(bucket, key, on, versionId) {
  const body = `<LegalHold><Status>${on ? 'ON' : 'OFF'}</Status></LegalHold>`;
  return s3('PUT', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { 'legal-hold': true, versionId }, { body });
}

export function setRetention(bucket, key, mode, untilIso, versionId) {
  const body = `<Retention><Mode>${mode}</Mode><RetainUntilDate>${untilIso}</RetainUntilDate></Retention>`;
  return s3('PUT', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { retention: true, versionId }, { body });
}

// Copies an old version over the current one (S3's way to restore a version).
export function restoreVersion(bucket, key, versionId) {
  const source = `${encodeURIComponent(bucket)}/${encodeKey(key)}?versionId=${encodeURIComponent(versionId)}`;
  return s3('PUT', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, {}, { headers: { 'x-amz-copy-source': source } });
}

export function deleteObject(bucket, key, versionId) {
  return s3('DELETE', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { versionId });
}

function esc(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// DeleteObjects in batches of 1,000; returns the keys that failed with their messages.
export async function deleteKeys(bucket, keys, onProgress) {
  const failed = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const body =
      '<Delete><Quiet>true</Quiet>' + batch.map((k) => `<Object><Key>${esc(k)}</Key></Object>`).join('') + '</Delete>';
    const doc = await xml('POST', `/${encodeURIComponent(bucket)}`, { delete: true }, { body });
    for (const e of all(doc, 'Error')) failed.push({ key: text(e, 'Key'), message: text(e, 'Message') });
    onProgress?.(Math.min(keys.length, i + batch.length), keys.length);
  }
  return failed;
}

// Every key under a prefix (for deleting a folder), page by page.
export async function allKeys(bucket, prefix) {
  const keys = [];
  let token;
  do {
    const page = await listObjects(bucket, { prefix, delimiter: '', token, maxKeys: 1000 });
    keys.push(...page.objects.map((o) => o.key));
    token = page.truncated ? page.nextToken : undefined;
  } while (token);
  return keys;
}

// ---- admin --------------------------------------------------------------------------------

export function admin(method, path, params = {}, opts = {}) {
  return json(`/api/v1/admin/${path}${query(params)}`, { ...opts, method });
}
