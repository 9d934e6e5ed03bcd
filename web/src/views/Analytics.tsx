import { useCallback, useMemo, useRef } from 'preact/hooks';
import { ANALYTICS_RANGES, type AnalyticsRange, analytics, burndown } from '../api/views';
import { BarList, TimeChart } from '../components/Chart';
import { ErrorNote } from '../components/ErrorNote';
import { TaskPicker } from '../components/TaskPicker';
import { duration } from '../lib/format';
import { useLoad } from '../lib/hooks';
import { navigate, type Route } from '../lib/route';
import { api, useEvents } from '../lib/session';
import { chartsOf, groupRows, RANGE_LABEL, rangeOf, workerRows } from './analytics-data';
import { BurndownChart } from './Burndown';

/** Finished work over a range the server counts (1 h to 30 d), by capability, tag and worker; an epic's burndown. */
export function AnalyticsView({ route }: { route: Route }) {
  const range = rangeOf(route.params.get('range'));
  const epic = Number(route.params.get('epic')) || null;
  const data = useLoad(() => analytics(range), [range]);
  const status = useLoad(() => api.status(), []);
  const timer = useRef<number | null>(null);
  // New finished work shows within seconds, without a request per event.
  const onEvent = useCallback(() => {
    if (timer.current !== null) return;
    timer.current = window.setTimeout(() => {
      timer.current = null;
      data.reload();
    }, 5000);
  }, [data.reload]);
  useEvents(onEvent);
  const a = data.data;
  const charts = useMemo(() => (a ? chartsOf(a) : null), [a]);
  const go = (params: { range?: AnalyticsRange; epic?: number | null }) =>
    navigate('/analytics', {
      range: params.range ?? range,
      epic: params.epic === undefined ? (epic ? String(epic) : undefined) : params.epic ? String(params.epic) : undefined,
    });
  const s = status.data;
  return (
    <section aria-labelledby="analytics-title" class="analytics">
      <div class="page-head">
        <h1 id="analytics-title">Analytics</h1>
        <fieldset class="segmented">
          <legend class="sr-only">Time range</legend>
          {ANALYTICS_RANGES.map((r) => (
            <label key={r} data-range={r}>
              <input type="radio" name="range" value={r} checked={r === range} onChange={() => go({ range: r })} />
              <span>{RANGE_LABEL[r]}</span>
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorNote error={data.error ?? status.error} />
      {a ? (
        <ul class="tiles" aria-label={`last ${RANGE_LABEL[range]}`}>
          <li class="tile">
            <span class="tile-value" data-testid="completed-total">
              {a.totals.completed}
            </span>{' '}
            completed in the last {RANGE_LABEL[range]}
          </li>
          <li class="tile">
            <span class="tile-value">{a.totals.failed}</span> failed
            {a.totals.failureRate !== null ? ` (${Math.round(a.totals.failureRate * 100)} %)` : ''}
          </li>
          <li class="tile">
            <span class="tile-value">
              {a.totals.medianWaitSeconds !== null ? duration(a.totals.medianWaitSeconds * 1000) : '—'}
            </span>{' '}
            median wait to start
          </li>
          <li class="tile">
            <span class="tile-value">{s ? s.queueDepth : '—'}</span> ready in the queue now
          </li>
        </ul>
      ) : null}
      {!a && !data.error ? <p class="muted">Loading…</p> : null}
      {a && charts ? (
        <div class="charts">
          <TimeChart
            title={`Throughput (tasks per ${duration(a.bucketSeconds * 1000)})`}
            x={charts.x}
            series={charts.throughput}
            testId="throughput"
          />
          <TimeChart title={`Wait from ready to start (median, ${charts.waitUnit})`} x={charts.x} series={charts.wait} />
          <TimeChart title={`Run time (median, ${charts.runUnit})`} x={charts.x} series={charts.run} />
          <TimeChart title="Failure rate (%)" x={charts.x} series={charts.failure} />
          <BarList title="By capability" rows={groupRows(a.byCapability)} testId="by-capability" />
          <BarList title="By tag" rows={groupRows(a.byTag)} testId="by-tag" />
          <BarList title="By complexity" rows={groupRows(a.byComplexity)} />
          <BarList title="Worker utilisation (share of the range spent running tasks)" rows={workerRows(a)} max={100} />
          {a.sample.complete ? null : (
            <p class="muted small">From the newest {a.sample.tasks} finished tasks of the range only.</p>
          )}
        </div>
      ) : null}
      {a ? <EpicBurndown epics={a.epics} epic={epic} onPick={(id) => go({ epic: id })} /> : null}
    </section>
  );
}

function EpicBurndown(props: {
  epics: { id: number; title: string; finished: number }[];
  epic: number | null;
  onPick: (id: number | null) => void;
}) {
  const chosen = props.epic ?? props.epics[0]?.id ?? null;
  const data = useLoad(() => (chosen ? burndown(chosen) : Promise.resolve(null)), [chosen]);
  return (
    <section class="panel epic-burndown" aria-labelledby="epic-burndown-title">
      <h2 id="epic-burndown-title">Epic burndown</h2>
      <div class="epic-pick">
        {props.epics.length ? (
          <label class="field inline">
            <span>Epic</span>
            <select
              value={String(chosen ?? '')}
              onChange={(e) => props.onPick(Number((e.target as HTMLSelectElement).value) || null)}
            >
              {chosen && !props.epics.some((e) => e.id === chosen) ? <option value={String(chosen)}>#{chosen}</option> : null}
              {props.epics.map((e) => (
                <option key={e.id} value={String(e.id)}>
                  #{e.id} {e.title} ({e.finished} finished in range)
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p class="muted small">No epic had work finished in this range; find one:</p>
        )}
        <TaskPicker label="Find an epic" exclude={chosen ? [chosen] : []} onPick={(t) => props.onPick(t.id)} />
      </div>
      <ErrorNote error={data.error} />
      {data.data ? <BurndownChart data={data.data} /> : null}
    </section>
  );
}
