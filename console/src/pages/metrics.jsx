import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { admin } from '../api.js';
import { bytes } from '../format.js';
import { ErrorNote, Loading } from '../ui.jsx';

const COLORS = ['#2f6f5e', '#d9822b', '#3b6fb6', '#a23b72', '#6b8e23', '#8c564b', '#17becf'];

// One uPlot chart over the series' time axis; resizes with its box.
function Chart({ title, times, series, format = (v) => v, testid, interval = 10 }) {
  const box = useRef(null);
  const plot = useRef(null);
  const key = series.map((s) => s.label).join('|');
  useEffect(() => {
    const opts = {
      width: box.current.clientWidth || 400,
      height: 200,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // From the first point (at most an hour ago) to now.
        x: { time: true, range: (u, min, max) => [Math.min(min, max - 10 * interval), Math.max(max, min + interval)] },
        y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [{}, { values: (u, ticks) => ticks.map((t) => format(t)), size: 70 }],
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, value: (u, v) => (v == null ? '—' : format(v)) }))],
    };
    plot.current = new uPlot(opts, [times, ...series.map((s) => s.values)], box.current);
    const ro = new ResizeObserver(() => plot.current.setSize({ width: box.current.clientWidth, height: 200 }));
    ro.observe(box.current);
    return () => {
      ro.disconnect();
      plot.current.destroy();
    };
  }, [key]);
  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)]);
  });
  return (
    <section class="panel chart" aria-label={title} data-testid={testid}>
      <h2>{title}</h2>
      <div ref={box} />
    </section>
  );
}

const perSecond = (v) => `${v < 10 ? v.toFixed(1) : Math.round(v)}/s`;
const ms = (v) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;

export function Metrics({ session }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const load = () =>
      admin('GET', 'metrics-history')
        .then((d) => {
          setData(d);
          setError(null);
        })
        .catch(setError);
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, []);
  if (!data) return error ? <ErrorNote error={error} /> : <Loading />;
  const points = data.points;
  const times = points.map((p) => p.t / 1000);
  const totals = new Map();
  for (const p of points) for (const [api, v] of Object.entries(p.api)) totals.set(api, (totals.get(api) || 0) + v);
  const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([api]) => api);
  const s3url = session?.s3Url || 'http://HOST:9000';
  const host = s3url.replace(/^https?:\/\//, '');
  return (
    <section aria-labelledby="metrics-title">
      <div class="page-head">
        <h1 id="metrics-title">Metrics</h1>
        <div class="spacer" />
        <span class="hint">
          This node, the last hour, a point every {data.intervalSeconds} s ({points.length} so far)
        </span>
      </div>
      <ErrorNote error={error} />
      {points.length === 0 ? <p class="hint">The first point comes {data.intervalSeconds} s after the server started.</p> : null}
      <div class="charts">
        <Chart
          interval={data.intervalSeconds}
          title="Requests per second"
          testid="chart-requests"
          times={times}
          format={perSecond}
          series={[{ label: 'all', values: points.map((p) => p.rps) }, ...top.map((api) => ({ label: api, values: points.map((p) => p.api[api] || 0) }))]}
        />
        <Chart
          interval={data.intervalSeconds}
          title="Errors per second"
          times={times}
          format={perSecond}
          series={[
            { label: '4xx', values: points.map((p) => p.errors4xx) },
            { label: '5xx', values: points.map((p) => p.errors5xx) },
          ]}
        />
        <Chart
          interval={data.intervalSeconds}
          title="Traffic"
          times={times}
          format={(v) => `${bytes(v)}/s`}
          series={[
            { label: 'received', values: points.map((p) => p.rxBps) },
            { label: 'sent', values: points.map((p) => p.txBps) },
          ]}
        />
        <Chart
          interval={data.intervalSeconds}
          title="Latency (arrival to last byte)"
          times={times}
          format={ms}
          series={[
            { label: 'p50', values: points.map((p) => p.p50Ms) },
            { label: 'p90', values: points.map((p) => p.p90Ms) },
            { label: 'p99', values: points.map((p) => p.p99Ms) },
          ]}
        />
        <Chart
          interval={data.intervalSeconds}
          title="Capacity"
          times={times}
          format={(v) => bytes(v)}
          series={[
            { label: 'used', values: points.map((p) => p.capacityUsed) },
            { label: 'total', values: points.map((p) => p.capacityTotal) },
          ]}
        />
        <Chart
          interval={data.intervalSeconds}
          title="Healing and MRF"
          times={times}
          format={(v) => (v < 10 && v % 1 ? v.toFixed(1) : `${Math.round(v)}`)}
          series={[
            { label: 'objects healed', values: points.map((p) => p.healedObjects) },
            { label: 'MRF healed', values: points.map((p) => p.mrfHealed) },
            { label: 'MRF queued', values: points.map((p) => p.mrfQueued) },
          ]}
        />
      </div>
      <section class="panel" aria-labelledby="prom-title">
        <h2 id="prom-title">Prometheus</h2>
        <p>
          For longer history and alerts, scrape every node's <code>/minio/v2/metrics/cluster</code> (MinIO's metric names). Make a token with{' '}
          <code>cairn admin prometheus generate</code>, or set <code>CAIRN_PROMETHEUS_AUTH_TYPE=public</code>:
        </p>
        <pre class="preview text">{`scrape_configs:
  - job_name: cairn
    bearer_token: <from cairn admin prometheus generate>
    metrics_path: /minio/v2/metrics/cluster
    scheme: ${s3url.startsWith('https') ? 'https' : 'http'}
    static_configs:
      - targets: ['${host}']`}</pre>
      </section>
    </section>
  );
}
