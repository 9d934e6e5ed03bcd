import { useMemo } from 'preact/hooks';
import { type Burndown, burndown } from '../api/views';
import { type Series, TimeChart } from '../components/Chart';
import { ErrorNote } from '../components/ErrorNote';
import { minutes } from '../lib/format';
import { useLoad } from '../lib/hooks';

/** An epic's burndown: leaves not done (left axis) and their estimates in hours (right axis). */
export function BurndownChart({ data }: { data: Burndown }) {
  const { x, series } = useMemo(() => {
    const last = data.points.at(-1);
    const s: Series[] = [
      {
        label: 'tasks remaining',
        color: 'var(--chart-2)',
        values: data.points.map((p) => p.remaining),
        stepped: true,
        unit: 'tasks',
        summary: `${last?.remaining ?? 0} of ${last?.scope ?? 0}`,
      },
      {
        label: 'estimate remaining',
        color: 'var(--chart-3)',
        values: data.points.map((p) => Math.round((p.remainingMinutes / 60) * 10) / 10),
        stepped: true,
        unit: 'h',
        summary: minutes(last?.remainingMinutes ?? 0),
        format: (h) => minutes(h * 60),
      },
    ];
    return { x: data.points.map((p) => Date.parse(p.at) / 1000), series: s };
  }, [data]);
  return (
    <div class="burndown" data-leaves={data.leaves} data-done={data.done}>
      <TimeChart title={`Burndown of #${data.taskId} ${data.title}`} x={x} series={series} testId="burndown" />
      <p class="muted small">
        {data.done} of {data.leaves} tasks done
        {data.unestimated ? `; ${data.unestimated} without an estimate count as tasks only` : ''}.
      </p>
    </div>
  );
}

/** The burndown of one task that has subtasks, reloaded when the task changes. */
export function BurndownPanel({ id, version }: { id: number; version: number }) {
  const data = useLoad(() => burndown(id), [id, version]);
  return (
    <section class="panel" aria-labelledby="burndown-title">
      <h2 id="burndown-title">Burndown</h2>
      <ErrorNote error={data.error} />
      {data.data ? <BurndownChart data={data.data} /> : data.error ? null : <p class="muted">Loading…</p>}
    </section>
  );
}
