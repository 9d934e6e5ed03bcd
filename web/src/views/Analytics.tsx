import { useMemo } from 'preact/hooks';
import { BarList, type Series, TimeChart } from '../components/Chart';
import { ErrorNote } from '../components/ErrorNote';
import { duration } from '../lib/format';
import { useLoad } from '../lib/hooks';
import { api } from '../lib/session';
import { loadAnalytics } from './analytics-data';

export function AnalyticsView() {
  const data = useLoad(loadAnalytics, []);
  const status = useLoad(() => api.status(), []);
  const a = data.data;
  const series = useMemo(() => {
    if (!a) return null;
    const throughput: Series[] = [
      { label: 'completed', color: '#1f7a3a', values: a.completed, bars: true },
      { label: 'failed', color: '#b3261e', values: a.failed, bars: true },
    ];
    const failure: Series[] = [{ label: 'failure rate', color: '#b3261e', values: a.failureRate }];
    // Minutes read better than thousands of seconds; seconds better than 0.01 minutes.
    const longest = Math.max(0, ...a.assignMedianSec.map((v) => v ?? 0));
    const assignUnit = longest >= 120 ? 'min' : 's';
    const values = a.assignMedianSec.map((v) => (v === null ? null : assignUnit === 'min' ? Math.round(v / 6) / 10 : v));
    const assign: Series[] = [{ label: 'median wait', color: '#1d4ed8', values }];
    return { throughput, failure, assign, assignUnit };
  }, [a]);
  const s = status.data;
  return (
    <section aria-labelledby="analytics-title" class="analytics">
      <h1 id="analytics-title">Analytics</h1>
      <ErrorNote error={data.error ?? status.error} />
      {s ? (
        <ul class="tiles" aria-label="now">
          <li class="tile">
            <span class="tile-value">{s.throughput.completedLastHour}</span> completed in the last hour
          </li>
          <li class="tile">
            <span class="tile-value">{s.queueDepth}</span> ready in the queue
          </li>
          <li class="tile">
            <span class="tile-value">{s.workers.online ? `${Math.round((s.workers.busy / s.workers.online) * 100)}%` : '—'}</span>{' '}
            of online workers busy
          </li>
          <li class="tile">
            <span class="tile-value">{a?.totals.medianAssignMs != null ? duration(a.totals.medianAssignMs) : '—'}</span> median
            time to assignment
          </li>
        </ul>
      ) : null}
      {!a && !data.error ? <p class="muted">Loading…</p> : null}
      {a && series ? (
        <div class="charts">
          <TimeChart title={`Throughput (tasks per ${a.bucketMinutes} min)`} x={a.x} series={series.throughput} unit="tasks" />
          <TimeChart
            title={`Time to assignment (median, ${series.assignUnit === 'min' ? 'minutes' : 'seconds'})`}
            x={a.x}
            series={series.assign}
            unit={series.assignUnit}
          />
          <TimeChart title="Failure rate (%)" x={a.x} series={series.failure} unit="%" />
          <BarList title="Completion time by complexity" rows={a.byComplexity} />
          <BarList title="Worker utilisation (share of the window spent running tasks)" rows={a.utilisation} max={100} />
          <p class="muted small">
            From the newest {a.totals.completed} completed and {a.totals.failed} failed tasks (at most {a.totals.sample} of each).
          </p>
        </div>
      ) : null}
    </section>
  );
}
