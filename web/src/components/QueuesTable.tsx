import type { QueuesReport } from '../api/types';

const wait = (s: number | null) =>
  s === null ? '—' : s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;

/** Named queues: what waits in each, what runs, how long the oldest has waited, and its caps. */
export function QueuesTable({ report }: { report: QueuesReport }) {
  const cap = report.maxExecuting === null ? '' : ` (at most ${report.maxExecuting} at once)`;
  return (
    <section aria-labelledby="queues-title">
      <h2 id="queues-title">Queues</h2>
      <p class="muted">
        {report.executing} executing{cap}
        {report.paused ? ' · claims paused for the whole system' : ''}
      </p>
      <div class="table-wrap">
        <table class="table">
          <caption class="sr-only">Named queues, their ready and executing tasks, oldest wait and SLA breaches</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Ready</th>
              <th scope="col">Executing</th>
              <th scope="col">Waiting</th>
              <th scope="col">Oldest wait</th>
              <th scope="col">SLA breaches</th>
              <th scope="col">Claims</th>
            </tr>
          </thead>
          <tbody>
            {report.queues.map((q) => (
              <tr key={q.name} data-queue={q.name}>
                <th scope="row">{q.name}</th>
                <td>{q.depth}</td>
                <td>
                  {q.executing}
                  {q.settings?.maxExecuting ? ` / ${q.settings.maxExecuting}` : ''}
                </td>
                <td>
                  {q.waiting}
                  {q.settings?.maxSize ? ` / ${q.settings.maxSize}` : ''}
                </td>
                <td>{wait(q.oldestWaitSeconds)}</td>
                <td class={q.slaBreaches > 0 ? 'health-busy' : undefined}>{q.slaBreaches}</td>
                <td>{q.paused ? 'paused' : 'open'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
