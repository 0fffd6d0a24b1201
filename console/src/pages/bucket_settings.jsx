import { useEffect, useState } from 'preact/hooks';
import { getVersioning, s3, setVersioning } from '../api.js';
import { Dialog, ErrorNote, Loading, toast } from '../ui.jsx';
import { checkPolicy } from './identity.jsx';

const TABS = [
  ['versioning', 'Versioning'],
  ['policy', 'Access policy'],
  ['encryption', 'Encryption'],
  ['lock', 'Object lock'],
  ['lifecycle', 'Lifecycle'],
  ['cors', 'CORS'],
];

const NOT_SET = ['NoSuchBucketPolicy', 'NoSuchLifecycleConfiguration', 'NoSuchCORSConfiguration', 'ServerSideEncryptionConfigurationNotFoundError', 'ObjectLockConfigurationNotFoundError'];

async function read(bucket, param) {
  try {
    const res = await s3('GET', `/${encodeURIComponent(bucket)}`, { [param]: true });
    return await res.text();
  } catch (e) {
    if (NOT_SET.includes(e.code)) return '';
    throw e;
  }
}

const xmlText = (doc, name) => doc.getElementsByTagName(name)[0]?.textContent ?? '';

// A setting kept as a document (policy JSON, lifecycle or CORS XML): edit, save, remove.
function DocumentSetting({ bucket, param, placeholder, json = false, help }) {
  const [text, setText] = useState(null);
  const [stored, setStored] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const load = () =>
    read(bucket, param)
      .then((t) => {
        const shown = json && t ? JSON.stringify(JSON.parse(t), null, 2) : t;
        setStored(shown);
        setText(shown);
      })
      .catch((e) => {
        setError(e);
        setText('');
      });
  useEffect(() => {
    load();
  }, [bucket, param]);
  if (text === null) return <Loading />;
  const problem = json && text ? checkPolicy(text) : '';
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await s3('PUT', `/${encodeURIComponent(bucket)}`, { [param]: true }, { body: text, headers: { 'Content-Type': json ? 'application/json' : 'application/xml' } });
      toast('Saved', 'success');
      load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await s3('DELETE', `/${encodeURIComponent(bucket)}`, { [param]: true });
      toast('Removed', 'success');
      load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <p class="hint">{help}</p>
      <label>
        {stored ? 'Current' : 'None set; write one'}
        <textarea class="code" rows="14" spellcheck={false} value={text} placeholder={placeholder} onInput={(e) => setText(e.currentTarget.value)} aria-invalid={!!problem} />
      </label>
      {problem ? <div class="error">{problem}</div> : null}
      <ErrorNote error={error} />
      <div class="actions">
        {stored ? (
          <button class="danger" onClick={remove} disabled={busy}>
            Remove
          </button>
        ) : null}
        <button class="primary" onClick={save} disabled={busy || !text.trim() || !!problem || text === stored}>
          Save
        </button>
      </div>
    </div>
  );
}

function Versioning({ bucket }) {
  const [state, setState] = useState(null);
  const [error, setError] = useState(null);
  const load = () => getVersioning(bucket).then(setState).catch(setError);
  useEffect(() => {
    load();
  }, [bucket]);
  if (!state) return error ? <ErrorNote error={error} /> : <Loading />;
  const change = async (on) => {
    setError(null);
    try {
      await setVersioning(bucket, on);
      load();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <p>
        Versioning is <strong data-testid="versioning-state">{state}</strong>.
      </p>
      <p class="hint">With versioning every overwrite and delete keeps the previous version (see an object's Versions tab). Once enabled it can be suspended, not removed.</p>
      <ErrorNote error={error} />
      <div class="actions">
        {state === 'Enabled' ? (
          <button onClick={() => change(false)}>Suspend</button>
        ) : (
          <button class="primary" onClick={() => change(true)} data-testid="enable-versioning">
            Enable
          </button>
        )}
      </div>
    </div>
  );
}

function Encryption({ bucket }) {
  const [mode, setMode] = useState(null);
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  const load = () =>
    read(bucket, 'encryption')
      .then((t) => {
        if (!t) {
          setMode('none');
          return;
        }
        const doc = new DOMParser().parseFromString(t, 'application/xml');
        setMode(xmlText(doc, 'SSEAlgorithm') === 'aws:kms' ? 'kms' : 's3');
        setKey(xmlText(doc, 'KMSMasterKeyID'));
      })
      .catch((e) => {
        setError(e);
        setMode('none');
      });
  useEffect(() => {
    load();
  }, [bucket]);
  if (!mode) return <Loading />;
  const save = async () => {
    setError(null);
    try {
      if (mode === 'none') {
        await s3('DELETE', `/${encodeURIComponent(bucket)}`, { encryption: true });
      } else {
        const rule =
          mode === 'kms'
            ? `<SSEAlgorithm>aws:kms</SSEAlgorithm>${key ? `<KMSMasterKeyID>${key.replace(/[<>&]/g, '')}</KMSMasterKeyID>` : ''}`
            : '<SSEAlgorithm>AES256</SSEAlgorithm>';
        await s3('PUT', `/${encodeURIComponent(bucket)}`, { encryption: true }, {
          body: `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>${rule}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
        });
      }
      toast('Saved', 'success');
      load();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <p class="hint">Default encryption applies to objects written without their own encryption headers. It needs a KMS on the server.</p>
      {[
        ['none', 'None'],
        ['s3', 'SSE-S3 (keys managed by cairn)'],
        ['kms', 'SSE-KMS (a named KMS key)'],
      ].map(([v, label]) => (
        <label class="check" key={v}>
          <input type="radio" name="sse" checked={mode === v} onChange={() => setMode(v)} /> {label}
        </label>
      ))}
      {mode === 'kms' ? (
        <label>
          KMS key (empty: the default key)
          <input value={key} onInput={(e) => setKey(e.currentTarget.value.trim())} />
        </label>
      ) : null}
      <ErrorNote error={error} />
      <div class="actions">
        <button class="primary" onClick={save}>
          Save
        </button>
      </div>
    </div>
  );
}

function ObjectLock({ bucket }) {
  const [conf, setConf] = useState(null);
  const [modeSel, setModeSel] = useState('GOVERNANCE');
  const [days, setDays] = useState('');
  const [error, setError] = useState(null);
  const load = () =>
    read(bucket, 'object-lock')
      .then((t) => {
        if (!t) {
          setConf({ enabled: false });
          return;
        }
        const doc = new DOMParser().parseFromString(t, 'application/xml');
        const c = { enabled: xmlText(doc, 'ObjectLockEnabled') === 'Enabled', mode: xmlText(doc, 'Mode'), days: xmlText(doc, 'Days'), years: xmlText(doc, 'Years') };
        setConf(c);
        if (c.mode) setModeSel(c.mode);
        setDays(c.days);
      })
      .catch((e) => {
        setError(e);
        setConf({ enabled: false });
      });
  useEffect(() => {
    load();
  }, [bucket]);
  if (!conf) return <Loading />;
  if (!conf.enabled) return <p class="hint">Object lock is off for this bucket. It can only be turned on when a bucket is created.</p>;
  const save = async () => {
    setError(null);
    const rule = days ? `<Rule><DefaultRetention><Mode>${modeSel}</Mode><Days>${Number(days)}</Days></DefaultRetention></Rule>` : '';
    try {
      await s3('PUT', `/${encodeURIComponent(bucket)}`, { 'object-lock': true }, {
        body: `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${rule}</ObjectLockConfiguration>`,
      });
      toast('Saved', 'success');
      load();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <p>
        Object lock is <strong>on</strong>.{' '}
        {conf.mode ? `New objects are retained in ${conf.mode} mode for ${conf.days ? `${conf.days} days` : `${conf.years} years`}.` : 'No default retention.'}
      </p>
      <label>
        Default retention mode
        <select value={modeSel} onChange={(e) => setModeSel(e.currentTarget.value)}>
          <option value="GOVERNANCE">Governance (users with s3:BypassGovernanceRetention may shorten it)</option>
          <option value="COMPLIANCE">Compliance (nobody can shorten it)</option>
        </select>
      </label>
      <label>
        Days (empty: no default retention)
        <input type="number" min="1" value={days} onInput={(e) => setDays(e.currentTarget.value)} />
      </label>
      <ErrorNote error={error} />
      <div class="actions">
        <button class="primary" onClick={save}>
          Save
        </button>
      </div>
    </div>
  );
}

const POLICY_TEMPLATE = (bucket) => `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": ["*"]},
      "Action": ["s3:GetObject"],
      "Resource": ["arn:aws:s3:::${bucket}/public/*"]
    }
  ]
}`;

export function BucketSettings({ bucket, onClose }) {
  const [tab, setTab] = useState('versioning');
  return (
    <Dialog title={`Settings of ${bucket}`} onClose={onClose} wide testid="bucket-settings">
      <div class="tabs" role="tablist">
        {TABS.map(([t, label]) => (
          <button key={t} role="tab" aria-selected={tab === t} class={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'versioning' ? <Versioning bucket={bucket} /> : null}
      {tab === 'policy' ? (
        <DocumentSetting
          bucket={bucket}
          param="policy"
          json
          placeholder={POLICY_TEMPLATE(bucket)}
          help="A bucket policy (JSON) grants or denies access to this bucket's objects, to users or to everybody (Principal *)."
        />
      ) : null}
      {tab === 'encryption' ? <Encryption bucket={bucket} /> : null}
      {tab === 'lock' ? <ObjectLock bucket={bucket} /> : null}
      {tab === 'lifecycle' ? (
        <DocumentSetting
          bucket={bucket}
          param="lifecycle"
          placeholder={'<LifecycleConfiguration>\n  <Rule>\n    <ID>expire-tmp</ID>\n    <Filter><Prefix>tmp/</Prefix></Filter>\n    <Status>Enabled</Status>\n    <Expiration><Days>7</Days></Expiration>\n  </Rule>\n</LifecycleConfiguration>'}
          help="Lifecycle rules (S3's XML) expire objects, old versions and unfinished uploads."
        />
      ) : null}
      {tab === 'cors' ? (
        <DocumentSetting
          bucket={bucket}
          param="cors"
          placeholder={'<CORSConfiguration>\n  <CORSRule>\n    <AllowedOrigin>https://example.com</AllowedOrigin>\n    <AllowedMethod>GET</AllowedMethod>\n  </CORSRule>\n</CORSConfiguration>'}
          help="CORS rules (S3's XML) let web pages of other origins call this bucket from a browser."
        />
      ) : null}
    </Dialog>
  );
}
