import { useEffect, useRef, useState } from 'preact/hooks';
import { admin } from '../api.js';
import { bytes, date, duration } from '../format.js';
import { ErrorNote, Loading, toast } from '../ui.jsx';

const POLL_MS = 2000;

// "http://10.0.0.2:9000/mnt/d1" -> node "10.0.0.2:9000", path "/mnt/d1"; a local path is
// on the node the console runs on.
function splitEndpoint(endpoint, here) {
  const m = /^https?:\/\/([^/]+)(\/.*)?$/.exec(endpoint);
  if (m) return { node: m[1], path: m[2] || '/' };
  return { node: here, path: endpoint };
}

// What a set can still lose: reads need its data drives; writes need data drives, plus one
// when parity is half the set (so that two halves cannot both write).
export function tolerance(drives, parity) {
  const n = drives.length;
  const online = drives.filter((d) => d.state === 'ok' || d.state === 'healing').length;
  const data = n - parity;
  const writeQuorum = data + (parity === data && parity > 0 ? 1 : 0);
  return { n, online, parity, read: online - data, write: online - writeQuorum };
}

function StateBadge({ state }) {
  const cls = state === 'ok' ? 'ok' : state === 'healing' ? 'warn' : 'bad';
  return (
    <span class={`state ${cls}`} data-state={state}>
      {state === 'ok' ? 'online' : state}
    </span>
  );
}

function Usage({ total, free }) {
  if (!total) return <span class="hint">—</span>;
  const used = total - free;
  const pct = Math.round((used / total) * 100);
  return (
    <div class="usage" title={`${bytes(used)} of ${bytes(total)} used`}>
      <div class="bar">
        <span style={{ width: `${pct}%` }} />
      </div>
      <small>
        {bytes(used)} / {bytes(total)}
      </small>
    </div>
  );
}

function HealPanel({ sequences, onChange }) {
  const [bucket, setBucket] = useState('');
  const [prefix, setPrefix] = useState('');
  const [deep, setDeep] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const start = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await admin('POST', 'heal/start', { bucket: bucket || undefined, prefix: prefix || undefined, deep: deep ? 'true' : undefined });
      toast(`Heal ${r.id} started`, 'success');
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const stop = async (id) => {
    try {
      await admin('POST', 'heal/stop', { id });
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  const shown = sequences.filter((s) => s.kind !== 'scanner').slice(0, 10);
  const scanner = sequences.filter((s) => s.kind === 'scanner').sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))[0];
  return (
    <section class="panel" aria-labelledby="heal-title">
      <h2 id="heal-title">Healing</h2>
      <form class="heal-form" onSubmit={start}>
        <label>
          Bucket
          <input value={bucket} placeholder="all buckets" onInput={(e) => setBucket(e.currentTarget.value.trim())} />
        </label>
        <label>
          Prefix
          <input value={prefix} placeholder="the whole bucket" disabled={!bucket} onInput={(e) => setPrefix(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" checked={deep} onChange={(e) => setDeep(e.currentTarget.checked)} />
          Deep (read and verify every shard)
        </label>
        <button class="primary" type="submit" disabled={busy} data-testid="start-heal">
          Start heal
        </button>
      </form>
      <ErrorNote error={error} />
      {shown.length ? (
        <table class="list compact" data-testid="heal-list">
          <thead>
            <tr>
              <th>Scope</th>
              <th>State</th>
              <th>Progress</th>
              <th class="hide-narrow">Started</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => {
              const pct = s.objectsTotal ? Math.min(100, Math.round((s.objectsScanned / s.objectsTotal) * 100)) : s.state === 'done' ? 100 : null;
              return (
                <tr key={s.id} data-id={s.id} data-state={s.state}>
                  <td>
                    {s.kind === 'drive' ? `drive ${s.drive}` : s.bucket ? `${s.bucket}/${s.prefix}` : 'whole cluster'}
                    <div class="hint">{s.id}</div>
                  </td>
                  <td>
                    <span class={`state ${s.state === 'running' ? 'warn' : s.state === 'done' ? 'ok' : 'bad'}`}>{s.state}</span>
                  </td>
                  <td>
                    {pct !== null ? <progress max="100" value={pct} aria-label={`Heal ${s.id}`} /> : null}
                    <div class="hint">
                      {s.objectsScanned} scanned, {s.objectsHealed} healed{s.objectsFailed ? `, ${s.objectsFailed} failed` : ''}
                      {s.secondsLeft ? `, about ${duration(s.secondsLeft)} left` : ''}
                    </div>
                  </td>
                  <td class="hide-narrow">{date(s.startedAt)}</td>
                  <td class="right">
                    {s.state === 'running' && s.kind === 'admin' ? (
                      <button class="small" onClick={() => stop(s.id)}>
                        Stop
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p class="hint">No heal has run since this node started.</p>
      )}
      <p class="hint" data-testid="scanner">
        Scanner:{' '}
        {scanner
          ? `${scanner.state === 'running' ? 'running since' : 'last cycle ended'} ${date(scanner.state === 'running' ? scanner.startedAt : scanner.endedAt)}, ${scanner.objectsScanned} objects scanned, ${scanner.objectsHealed} healed`
          : 'no cycle yet'}
      </p>
    </section>
  );
}

export function Cluster({ session }) {
  const [info, setInfo] = useState(null);
  const [sequences, setSequences] = useState([]);
  const [error, setError] = useState(null);
  const timer = useRef(null);
  const load = async () => {
    try {
      const [i, h] = await Promise.all([admin('GET', 'info'), admin('GET', 'heal/list')]);
      setInfo(i);
      setSequences(h.sequences || []);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    load();
    timer.current = setInterval(load, POLL_MS);
    return () => clearInterval(timer.current);
  }, []);
  if (!info) return error ? <ErrorNote error={error} /> : <Loading />;

  let here = 'this node';
  try {
    here = new URL(session.s3Url).host;
  } catch {
    /* keep the generic name */
  }
  const drives = info.drives
    .map((d) => ({ ...d, ...splitEndpoint(d.endpoint, here) }))
    .sort((a, b) => (a.node === b.node ? (a.path < b.path ? -1 : 1) : a.node < b.node ? -1 : 1));
  const nodes = new Map();
  for (const d of drives) {
    const n = nodes.get(d.node) || { name: d.node, drives: 0, online: 0 };
    n.drives++;
    if (d.state !== 'offline') n.online++;
    nodes.set(d.node, n);
  }
  const sets = new Map();
  for (const d of drives) {
    const key = `${d.pool}/${d.set}`;
    if (!sets.has(key)) sets.set(key, { pool: d.pool, set: d.set, parity: d.parity, drives: [] });
    sets.get(key).drives.push(d);
  }
  const total = drives.reduce((a, d) => a + d.total, 0);
  const free = drives.reduce((a, d) => a + d.free, 0);
  const online = drives.filter((d) => d.state !== 'offline').length;
  return (
    <section aria-labelledby="cluster-title">
      <div class="page-head">
        <h1 id="cluster-title">Cluster</h1>
        <div class="spacer" />
        <span class="hint">Updated every {POLL_MS / 1000} s</span>
      </div>
      <ErrorNote error={error} />
      <div class="cards">
        <div class="card">
          <small>Nodes</small>
          <strong data-testid="nodes-online">
            {info.nodes?.length
              ? `${info.nodes.filter((n) => n.online).length} / ${info.nodes.length} online`
              : `${[...nodes.values()].filter((n) => n.online > 0).length} / ${nodes.size} online`}
          </strong>
        </div>
        <div class="card">
          <small>Drives</small>
          <strong data-testid="drives-online">
            {online} / {drives.length} online
          </strong>
        </div>
        <div class="card">
          <small>Capacity</small>
          <strong>
            {bytes(total - free)} used of {bytes(total)}
          </strong>
        </div>
        <div class="card">
          <small>Version, uptime of this node</small>
          <strong>
            {info.version}, {duration(info.uptimeSeconds)}
          </strong>
        </div>
        {info.heal ? (
          <div class="card">
            <small>Healed since start (objects, MRF)</small>
            <strong>
              {info.heal.objectsHealed}, {info.heal.mrfHealed}
            </strong>
          </div>
        ) : null}
      </div>

      {info.nodes?.length ? (
        <section class="panel" aria-labelledby="node-title">
          <h2 id="node-title">Nodes</h2>
          <table class="list compact" data-testid="node-list">
            <thead>
              <tr>
                <th>Node</th>
                <th>State</th>
                <th>Version</th>
                <th>Uptime</th>
                <th>Drives online</th>
              </tr>
            </thead>
            <tbody>
              {info.nodes.map((n) => {
                const d = nodes.get(n.self ? here : n.node) || nodes.get(n.node);
                return (
                  <tr key={n.node} data-node={n.node} data-online={n.online ? 'yes' : 'no'}>
                    <td>
                      {n.node}
                      {n.self ? <span class="badge">this node</span> : null}
                    </td>
                    <td>
                      <StateBadge state={n.online ? 'ok' : 'offline'} />
                    </td>
                    <td>{n.version || '—'}</td>
                    <td>{n.uptimeSeconds !== undefined ? duration(n.uptimeSeconds) : '—'}</td>
                    <td>{d ? `${d.online} of ${d.drives}` : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ) : null}

      <section class="panel" aria-labelledby="sets-title">
        <h2 id="sets-title">Erasure sets: what each can lose now</h2>
        <table class="list compact" data-testid="set-list">
          <thead>
            <tr>
              <th>Pool / set</th>
              <th>Drives online</th>
              <th>Parity</th>
              <th>Can still lose (reads)</th>
              <th>Can still lose (writes)</th>
            </tr>
          </thead>
          <tbody>
            {[...sets.values()].map((s) => {
              const t = tolerance(s.drives, s.parity);
              return (
                <tr key={`${s.pool}/${s.set}`}>
                  <td>
                    {s.pool + 1} / {s.set + 1}
                  </td>
                  <td>
                    {t.online} of {t.n}
                  </td>
                  <td>
                    EC {t.n - t.parity}+{t.parity}
                  </td>
                  <td class={t.read < 0 ? 'danger-text' : ''}>{t.read < 0 ? 'unreadable' : `${t.read} drive${t.read === 1 ? '' : 's'}`}</td>
                  <td class={t.write < 0 ? 'danger-text' : ''}>{t.write < 0 ? 'read-only' : `${t.write} drive${t.write === 1 ? '' : 's'}`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <section class="panel" aria-labelledby="nodes-title">
        <h2 id="nodes-title">Drives</h2>
        <table class="list compact" data-testid="drive-list">
          <thead>
            <tr>
              <th>Node</th>
              <th>Path</th>
              <th>State</th>
              <th class="hide-narrow">Pool / set / drive</th>
              <th>Space</th>
            </tr>
          </thead>
          <tbody>
            {drives.map((d) => (
              <tr key={d.endpoint} data-node={d.node} data-state={d.state}>
                <td>{d.node}</td>
                <td>
                  <code>{d.path}</code>
                </td>
                <td>
                  <StateBadge state={d.state} />
                </td>
                <td class="hide-narrow">
                  {d.pool + 1} / {d.set + 1} / {d.index + 1}
                </td>
                <td>
                  <Usage total={d.total} free={d.free} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {session?.allowed?.['admin:Heal'] !== false ? <HealPanel sequences={sequences} onChange={load} /> : null}
    </section>
  );
}
