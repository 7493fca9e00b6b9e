/** The Grafana dashboard reads only metrics that exist: each name in each query is one of Fillflow's (a histogram's
 * through its _bucket, _sum or _count series) or one of the Temporal SDK's with the prefix the runtime sets; and every
 * metric Fillflow defines has a panel. The integration test checks the SDK names against a real worker's scrape. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILLFLOW_METRICS, SDK_METRIC_PREFIX } from '../../../src/metrics/fillflow-metrics.js';
import { DASHBOARD_PATH, dashboardQueries, metricNamesIn } from './dashboard-names.js';

/** The series each Fillflow metric is served as. */
const FILLFLOW_SERIES = new Map<string, string>(
  Object.values(FILLFLOW_METRICS).flatMap((d) =>
    d.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s): [string, string] => [d.name + s, d.name]) : [[d.name, d.name] as [string, string]],
  ),
);

/** The SDK's metrics (docs.temporal.io/references/sdk-metrics) the dashboard may read, as the exporter serves them. */
const SDK_SERIES = new Set(
  [
    'workflow_task_schedule_to_start_latency_bucket',
    'activity_schedule_to_start_latency_bucket',
    'worker_task_slots_available',
    'worker_task_slots_used',
    'workflow_completed',
  ].map((n) => SDK_METRIC_PREFIX + n),
);

const queries = dashboardQueries();

describe('deploy/grafana/dashboards/fillflow.json', () => {
  it('names only metrics that Fillflow or the Temporal SDK serve', () => {
    expect(queries.length).toBeGreaterThan(10);
    const unknown = queries.flatMap((q) => metricNamesIn(q.expr).filter((n) => !FILLFLOW_SERIES.has(n) && !SDK_SERIES.has(n)).map((n) => `${q.panel}: ${n}`));
    expect(unknown).toEqual([]);
    for (const q of queries) expect(metricNamesIn(q.expr).length, `${q.panel}: ${q.expr}`).toBeGreaterThan(0);
  });

  it('has a panel for every metric Fillflow defines', () => {
    const used = new Set(queries.flatMap((q) => metricNamesIn(q.expr)).map((n) => FILLFLOW_SERIES.get(n)));
    expect(Object.values(FILLFLOW_METRICS).map((d) => d.name).filter((n) => !used.has(n))).toEqual([]);
  });

  it('queries the provisioned Prometheus datasource through its variable', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as { uid: string; templating: { list: { name: string; type: string; current: { value: string } }[] } };
    expect(dashboard.uid).toBe('fillflow');
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', current: expect.objectContaining({ value: 'prometheus' }) }));
    const raw = readFileSync(DASHBOARD_PATH, 'utf8');
    const uids = [...raw.matchAll(/"uid":\s*"([^"]*)"/g)].map((m) => m[1]).filter((u) => u !== 'fillflow');
    expect(new Set(uids)).toEqual(new Set(['${datasource}']));
  });

  it('reads metric names out of PromQL as Prometheus would', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{route="x{y}"}[$__rate_interval])))')).toEqual(['a_bucket']);
    expect(metricNamesIn('sum(rate(a_total[5m])) / (sum(rate(a_total[5m])) + sum(b_total offset 1h)) * 60')).toEqual(['a_total', 'b_total']);
  });
});

describe('docs/metrics.md', () => {
  it('describes every metric Fillflow defines, with its tags', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/metrics.md'), 'utf8');
    for (const d of Object.values(FILLFLOW_METRICS)) {
      const line = doc.split('\n').find((l) => l.startsWith(`| \`${d.name}\``));
      expect(line, d.name).toBeDefined();
      for (const tag of d.tags) expect(line, `${d.name} ${tag}`).toContain(`\`${tag}\``);
    }
  });
});
