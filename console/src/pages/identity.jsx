import { useEffect, useState } from 'preact/hooks';
import { admin } from '../api.js';
import { date } from '../format.js';
import { Confirm, Dialog, Empty, ErrorNote, Loading, toast } from '../ui.jsx';

const TABS = [
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['policies', 'Policies'],
  ['accounts', 'Service accounts'],
];

const body = (j) => ({ body: JSON.stringify(j), headers: { 'Content-Type': 'application/json' } });
const names = (s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);

function useLoad(fn, deps = []) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    fn()
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e) => {
        setError(e);
        setData((old) => old ?? null);
      });
  useEffect(() => {
    load();
  }, deps);
  return [data, error, load];
}

function PolicyPicker({ policies, value, onChange, label = 'Policies' }) {
  return (
    <fieldset class="picker">
      <legend>{label}</legend>
      {policies.map((p) => (
        <label class="check" key={p}>
          <input
            type="checkbox"
            checked={value.includes(p)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...value, p] : value.filter((x) => x !== p))}
          />
          {p}
        </label>
      ))}
    </fieldset>
  );
}

// A dialog with a form whose submit runs `run`; errors stay in the dialog.
function FormDialog({ title, onClose, run, submit = 'Save', children, valid = true, testid }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  return (
    <Dialog title={title} onClose={onClose} testid={testid}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await run();
            onClose();
          } catch (err) {
            setError(err);
            setBusy(false);
          }
        }}
      >
        {children}
        <ErrorNote error={error} />
        <div class="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button class="primary" type="submit" disabled={busy || !valid}>
            {busy ? 'Working…' : submit}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function Users({ policies }) {
  const [users, error, load] = useLoad(() => admin('GET', 'list-users'));
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState(null);
  const [removing, setRemoving] = useState(null);
  const [ak, setAk] = useState('');
  const [sk, setSk] = useState('');
  const [chosen, setChosen] = useState([]);
  const setStatus = async (name, enabled) => {
    try {
      await admin('PUT', 'set-user-status', { accessKey: name, status: enabled ? 'enabled' : 'disabled' });
      load();
    } catch (e) {
      toast(e.message, 'error');
    }
  };
  if (!users) return error ? <ErrorNote error={error} /> : <Loading />;
  const list = Object.entries(users);
  return (
    <div>
      <div class="toolbar">
        <div class="spacer" />
        <button
          class="primary"
          data-testid="add-user"
          onClick={() => {
            setAk('');
            setSk('');
            setChosen([]);
            setAdding(true);
          }}
        >
          Add user
        </button>
      </div>
      <ErrorNote error={error} />
      {list.length === 0 ? (
        <Empty title="No users yet">
          <p>Users sign in with their own keys and may do what their policies (and their groups') allow.</p>
        </Empty>
      ) : (
        <table class="list" data-testid="user-list">
          <thead>
            <tr>
              <th>Access key</th>
              <th>Status</th>
              <th>Policies</th>
              <th class="hide-narrow">Groups</th>
              <th class="right">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map(([name, u]) => (
              <tr key={name} data-user={name}>
                <td>{name}</td>
                <td>
                  <span class={`state ${u.status === 'enabled' ? 'ok' : 'bad'}`}>{u.status}</span>
                </td>
                <td>{u.policyName || <span class="hint">none</span>}</td>
                <td class="hide-narrow">{(u.memberOf || []).join(', ')}</td>
                <td class="right">
                  <button
                    class="small"
                    onClick={() => {
                      setChosen(names(u.policyName));
                      setEditing(name);
                    }}
                  >
                    Policies
                  </button>
                  <button class="small" onClick={() => setStatus(name, u.status !== 'enabled')}>
                    {u.status === 'enabled' ? 'Disable' : 'Enable'}
                  </button>
                  <button class="small danger-text" onClick={() => setRemoving(name)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adding ? (
        <FormDialog
          title="Add user"
          testid="add-user-dialog"
          onClose={() => setAdding(false)}
          valid={ak.length >= 3 && sk.length >= 8}
          submit="Add user"
          run={async () => {
            await admin('PUT', 'add-user', { accessKey: ak }, body({ secretKey: sk, status: 'enabled', policy: chosen.join(',') }));
            toast(`User ${ak} added`, 'success');
            load();
          }}
        >
          <label>
            Access key
            <input name="accessKey" value={ak} onInput={(e) => setAk(e.currentTarget.value.trim())} />
          </label>
          <label>
            Secret key (8 to 40 characters)
            <input name="secretKey" type="password" autocomplete="new-password" value={sk} onInput={(e) => setSk(e.currentTarget.value)} />
          </label>
          <PolicyPicker policies={policies} value={chosen} onChange={setChosen} />
        </FormDialog>
      ) : null}
      {editing ? (
        <FormDialog
          title={`Policies of ${editing}`}
          onClose={() => setEditing(null)}
          run={async () => {
            await admin('PUT', 'set-user-or-group-policy', { policyName: chosen.join(','), userOrGroup: editing, isGroup: 'false' });
            load();
          }}
        >
          <PolicyPicker policies={policies} value={chosen} onChange={setChosen} />
        </FormDialog>
      ) : null}
      {removing ? (
        <Confirm
          title="Remove user"
          message={`Remove ${removing}, its service accounts and sessions?`}
          action="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await admin('DELETE', 'remove-user', { accessKey: removing });
            load();
          }}
        />
      ) : null}
    </div>
  );
}

function Groups({ policies }) {
  const [groups, error, load] = useLoad(async () => {
    const list = await admin('GET', 'groups');
    return Promise.all((list || []).map((g) => admin('GET', 'group', { group: g })));
  });
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState(null);
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const [chosen, setChosen] = useState([]);
  const act = async (fn) => {
    try {
      await fn();
      load();
    } catch (e) {
      toast(e.message, 'error');
    }
  };
  if (!groups) return error ? <ErrorNote error={error} /> : <Loading />;
  return (
    <div>
      <div class="toolbar">
        <div class="spacer" />
        <button
          class="primary"
          onClick={() => {
            setName('');
            setMembers('');
            setAdding(true);
          }}
        >
          Create group
        </button>
      </div>
      <ErrorNote error={error} />
      {groups.length === 0 ? (
        <Empty title="No groups yet">
          <p>A group's policies apply to every member.</p>
        </Empty>
      ) : (
        <table class="list" data-testid="group-list">
          <thead>
            <tr>
              <th>Group</th>
              <th>Status</th>
              <th>Members</th>
              <th>Policies</th>
              <th class="right">Actions</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.name}>
                <td>{g.name}</td>
                <td>
                  <span class={`state ${g.status === 'enabled' ? 'ok' : 'bad'}`}>{g.status}</span>
                </td>
                <td>{(g.members || []).join(', ') || <span class="hint">none</span>}</td>
                <td>{g.policy || <span class="hint">none</span>}</td>
                <td class="right">
                  <button
                    class="small"
                    onClick={() => {
                      setChosen(names(g.policy));
                      setMembers((g.members || []).join(', '));
                      setEditing(g);
                    }}
                  >
                    Edit
                  </button>
                  <button class="small" onClick={() => act(() => admin('PUT', 'set-group-status', { group: g.name, status: g.status === 'enabled' ? 'disabled' : 'enabled' }))}>
                    {g.status === 'enabled' ? 'Disable' : 'Enable'}
                  </button>
                  <button
                    class="small danger-text"
                    onClick={() =>
                      act(async () => {
                        if (g.members?.length) await admin('PUT', 'update-group-members', {}, body({ group: g.name, members: g.members, isRemove: true }));
                        await admin('PUT', 'update-group-members', {}, body({ group: g.name, members: [], isRemove: true }));
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
      )}
      {adding ? (
        <FormDialog
          title="Create group"
          onClose={() => setAdding(false)}
          valid={!!name && names(members).length > 0}
          submit="Create"
          run={async () => {
            await admin('PUT', 'update-group-members', {}, body({ group: name, members: names(members), isRemove: false }));
            load();
          }}
        >
          <label>
            Name
            <input value={name} onInput={(e) => setName(e.currentTarget.value.trim())} />
          </label>
          <label>
            Members (users, comma separated; a group has at least one)
            <input value={members} onInput={(e) => setMembers(e.currentTarget.value)} />
          </label>
        </FormDialog>
      ) : null}
      {editing ? (
        <FormDialog
          title={`Group ${editing.name}`}
          onClose={() => setEditing(null)}
          run={async () => {
            const want = names(members);
            const had = editing.members || [];
            const add = want.filter((m) => !had.includes(m));
            const drop = had.filter((m) => !want.includes(m));
            if (add.length) await admin('PUT', 'update-group-members', {}, body({ group: editing.name, members: add, isRemove: false }));
            if (drop.length) await admin('PUT', 'update-group-members', {}, body({ group: editing.name, members: drop, isRemove: true }));
            await admin('PUT', 'set-user-or-group-policy', { policyName: chosen.join(','), userOrGroup: editing.name, isGroup: 'true' });
            load();
          }}
        >
          <label>
            Members
            <input value={members} onInput={(e) => setMembers(e.currentTarget.value)} />
          </label>
          <PolicyPicker policies={policies} value={chosen} onChange={setChosen} />
        </FormDialog>
      ) : null}
    </div>
  );
}

const TEMPLATE = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": ["arn:aws:s3:::my-bucket/*"]
    }
  ]
}`;

// Checks a policy document in the browser before the server does: JSON, Version, Statement,
// Effect, Action and Resource present.
export function checkPolicy(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `Not JSON: ${e.message}`;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'A policy is a JSON object.';
  if (doc.Version && !['2012-10-17', '2008-10-17'].includes(doc.Version)) return `Version ${doc.Version}: use 2012-10-17.`;
  const st = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  if (!st.length) return 'A policy needs a Statement.';
  for (const [i, s] of st.entries()) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return `Statement ${i + 1}: Effect is Allow or Deny.`;
    if (!s.Action && !s.NotAction) return `Statement ${i + 1}: no Action.`;
  }
  return '';
}

function Policies({ onChanged }) {
  const [policies, error, load] = useLoad(() => admin('GET', 'list-canned-policies'));
  const [editing, setEditing] = useState(null);
  const [removing, setRemoving] = useState(null);
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  if (!policies) return error ? <ErrorNote error={error} /> : <Loading />;
  const problem = text ? checkPolicy(text) : '';
  return (
    <div>
      <div class="toolbar">
        <div class="spacer" />
        <button
          class="primary"
          data-testid="add-policy"
          onClick={() => {
            setName('');
            setText(TEMPLATE);
            setEditing({ isNew: true });
          }}
        >
          Create policy
        </button>
      </div>
      <table class="list" data-testid="policy-list">
        <thead>
          <tr>
            <th>Policy</th>
            <th>Statements</th>
            <th class="right">Actions</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(policies).map(([n, doc]) => (
            <tr key={n}>
              <td>{n}</td>
              <td class="hint">{(Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).map((s) => `${s.Effect} ${[].concat(s.Action || s.NotAction || []).join(' ')}`).join('; ')}</td>
              <td class="right">
                <button
                  class="small"
                  onClick={() => {
                    setName(n);
                    setText(JSON.stringify(doc, null, 2));
                    setEditing({ isNew: false });
                  }}
                >
                  View / edit
                </button>
                <button class="small danger-text" onClick={() => setRemoving(n)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing ? (
        <FormDialog
          title={editing.isNew ? 'Create policy' : `Policy ${name}`}
          testid="policy-dialog"
          onClose={() => setEditing(null)}
          valid={!!name && !problem}
          run={async () => {
            await admin('PUT', 'add-canned-policy', { name }, { body: text, headers: { 'Content-Type': 'application/json' } });
            toast(`Policy ${name} saved`, 'success');
            load();
            onChanged();
          }}
        >
          {editing.isNew ? (
            <label>
              Name
              <input name="policyName" value={name} onInput={(e) => setName(e.currentTarget.value.trim())} />
            </label>
          ) : null}
          <label>
            Document
            <textarea class="code" rows="16" spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} aria-invalid={!!problem} />
          </label>
          {problem ? (
            <div class="error" role="alert" data-testid="policy-problem">
              {problem}
            </div>
          ) : null}
        </FormDialog>
      ) : null}
      {removing ? (
        <Confirm
          title="Remove policy"
          message={`Remove the policy ${removing}? (Refused while a user or group has it.)`}
          action="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await admin('DELETE', 'remove-canned-policy', { name: removing });
            load();
            onChanged();
          }}
        />
      ) : null}
    </div>
  );
}

function ServiceAccounts({ session }) {
  const [user, setUser] = useState(session.kind === 'root' ? '' : session.user);
  const [accounts, error, load] = useLoad(() => admin('GET', 'list-service-accounts', { user: user || undefined }), [user]);
  const [adding, setAdding] = useState(false);
  const [made, setMade] = useState(null);
  const [target, setTarget] = useState('');
  const [label, setLabel] = useState('');
  const [expiry, setExpiry] = useState('');
  if (!accounts) return error ? <ErrorNote error={error} /> : <Loading />;
  const list = accounts.accounts || [];
  return (
    <div>
      <div class="toolbar">
        <input class="search" placeholder="Parent user (empty: every user)" aria-label="Parent user" value={user} onInput={(e) => setUser(e.currentTarget.value.trim())} />
        <div class="spacer" />
        <button
          class="primary"
          onClick={() => {
            setTarget(user);
            setLabel('');
            setExpiry('');
            setAdding(true);
          }}
        >
          Create service account
        </button>
      </div>
      <ErrorNote error={error} />
      {list.length === 0 ? (
        <Empty title="No service accounts">
          <p>A service account is a key pair for an application, acting for its parent user (optionally narrowed by a policy).</p>
        </Empty>
      ) : (
        <table class="list" data-testid="account-list">
          <thead>
            <tr>
              <th>Access key</th>
              <th>Parent</th>
              <th>Status</th>
              <th class="hide-narrow">Name</th>
              <th class="hide-narrow">Expires</th>
              <th class="right">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((a) => (
              <tr key={a.accessKey}>
                <td>
                  <code>{a.accessKey}</code>
                </td>
                <td>{a.parentUser}</td>
                <td>
                  <span class={`state ${a.accountStatus === 'on' ? 'ok' : 'bad'}`}>{a.accountStatus === 'on' ? 'enabled' : 'disabled'}</span>
                </td>
                <td class="hide-narrow">{a.name}</td>
                <td class="hide-narrow">{a.expiration ? date(a.expiration) : 'never'}</td>
                <td class="right">
                  <button
                    class="small danger-text"
                    onClick={async () => {
                      try {
                        await admin('DELETE', 'delete-service-account', { accessKey: a.accessKey });
                        load();
                      } catch (e) {
                        toast(e.message, 'error');
                      }
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adding ? (
        <FormDialog
          title="Create service account"
          onClose={() => setAdding(false)}
          submit="Create"
          run={async () => {
            const r = await admin(
              'PUT',
              'add-service-account',
              {},
              body({ targetUser: target, name: label, expiration: expiry ? new Date(expiry).toISOString() : undefined }),
            );
            setMade(r.credentials);
            load();
          }}
        >
          <label>
            Parent user (empty: yourself)
            <input value={target} onInput={(e) => setTarget(e.currentTarget.value.trim())} />
          </label>
          <label>
            Name
            <input value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
          </label>
          <label>
            Expires (optional)
            <input type="datetime-local" value={expiry} onInput={(e) => setExpiry(e.currentTarget.value)} />
          </label>
        </FormDialog>
      ) : null}
      {made ? (
        <Dialog title="Service account created" onClose={() => setMade(null)}>
          <p>Copy the secret key now: it is not shown again.</p>
          <dl class="props">
            <dt>Access key</dt>
            <dd>
              <code>{made.accessKey}</code>
            </dd>
            <dt>Secret key</dt>
            <dd>
              <code>{made.secretKey}</code>
            </dd>
          </dl>
          <div class="actions">
            <button class="primary" onClick={() => navigator.clipboard?.writeText(`${made.accessKey} ${made.secretKey}`).then(() => toast('Copied', 'success'))}>
              Copy both
            </button>
          </div>
        </Dialog>
      ) : null}
    </div>
  );
}

export function Identity({ session }) {
  const [tab, setTab] = useState('users');
  const [policies, , loadPolicies] = useLoad(() => admin('GET', 'list-canned-policies').then((p) => Object.keys(p)));
  return (
    <section aria-labelledby="identity-title">
      <div class="page-head">
        <h1 id="identity-title">Identity</h1>
      </div>
      <div class="tabs" role="tablist">
        {TABS.map(([t, label]) => (
          <button key={t} role="tab" aria-selected={tab === t} class={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'users' ? <Users policies={policies || []} /> : null}
      {tab === 'groups' ? <Groups policies={policies || []} /> : null}
      {tab === 'policies' ? <Policies onChanged={loadPolicies} /> : null}
      {tab === 'accounts' ? <ServiceAccounts session={session} /> : null}
    </section>
  );
}
