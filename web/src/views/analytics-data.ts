import type { Analytics, AnalyticsGroup, AnalyticsRange } from '../api/views';
import { ANALYTICS_RANGES } from '../api/views';
import type { Series } from '../components/Chart';
import { duration } from '../lib/format';

/** The server's analytics of a range, shaped for the charts and bar lists of the page. */

export const RANGE_LABEL: Record<AnalyticsRange, string> = { '1h': '1 h', '24h': '24 h', '7d': '7 d', '30d': '30 d' };

export function rangeOf(raw: string | null): AnalyticsRange {
  return (ANALYTICS_RANGES as readonly string[]).includes(raw ?? '') ? (raw as AnalyticsRange) : '24h';
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const secs = (s: number | null) => (s === null ? '—' : duration(s * 1000));
const pct = (share: number | null) => (share === null ? '—' : `${Math.round(share * 1000) / 10} %`);

export interface ChartSet {
  x: number[];
  throughput: Series[];
  wait: Series[];
  run: Series[];
  failure: Series[];
  /** Seconds or minutes, whichever reads better for the longest value. */
  waitUnit: string;
  runUnit: string;
}

/** Seconds as minutes when the longest is two minutes or more. */
function timeSeries(values: (number | null)[]): { unit: string; values: (number | null)[]; scale: (v: number) => number } {
  const longest = Math.max(0, ...values.map((v) => v ?? 0));
  const scale = longest >= 120 ? (v: number) => Math.round((v / 60) * 10) / 10 : (v: number) => v;
  return { unit: longest >= 120 ? 'min' : 's', values: values.map((v) => (v === null ? null : scale(v))), scale };
}

export function chartsOf(a: Analytics): ChartSet {
  const x = a.buckets.map((b) => Date.parse(b.at) / 1000);
  const completed = a.buckets.map((b) => b.completed);
  const failed = a.buckets.map((b) => b.failed);
  const wait = timeSeries(a.buckets.map((b) => b.medianWaitSeconds));
  const run = timeSeries(a.buckets.map((b) => b.medianRunSeconds));
  const fromUnit = (unit: string) => (v: number) => duration((unit === 'min' ? v * 60 : v) * 1000);
  return {
    x,
    throughput: [
      {
        label: 'completed',
        color: 'var(--chart-ok)',
        values: completed,
        bars: true,
        unit: 'tasks',
        summary: `${sum(completed)} in all`,
      },
      { label: 'failed', color: 'var(--chart-bad)', values: failed, bars: true, unit: 'tasks', summary: `${sum(failed)} in all` },
    ],
    wait: [
      {
        label: 'median wait',
        color: 'var(--chart-2)',
        values: wait.values,
        unit: wait.unit,
        summary: `${secs(a.totals.medianWaitSeconds)} over the range`,
        format: fromUnit(wait.unit),
      },
    ],
    run: [
      {
        label: 'median run',
        color: 'var(--chart-3)',
        values: run.values,
        unit: run.unit,
        summary: `${secs(a.totals.medianRunSeconds)} (p90 ${secs(a.totals.p90RunSeconds)})`,
        format: fromUnit(run.unit),
      },
    ],
    failure: [
      {
        label: 'failure rate',
        color: 'var(--chart-bad)',
        values: a.buckets.map((b) =>
          b.completed + b.failed ? Math.round((b.failed / (b.completed + b.failed)) * 1000) / 10 : null,
        ),
        unit: '%',
        summary: `${pct(a.totals.failureRate)} over the range`,
      },
    ],
    waitUnit: wait.unit,
    runUnit: run.unit,
  };
}

/** Rows of a bar list: completed as the bar, failed stacked after it in red. */
export function groupRows(groups: AnalyticsGroup[]) {
  return groups.map((g) => ({
    label: g.key,
    value: g.completed,
    bad: g.failed,
    text: `${g.completed} completed, ${g.failed} failed (${pct(g.failureRate)}) · median ${secs(g.medianRunSeconds)}`,
  }));
}

export function workerRows(a: Analytics) {
  return a.byWorker.map((w) => ({
    label: w.workerId,
    value: (w.utilisation ?? 0) * 100,
    text: `${pct(w.utilisation)} busy · ${w.completed} completed, ${w.failed} failed`,
  }));
}
