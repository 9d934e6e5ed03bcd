import { useCallback, useState } from 'preact/hooks';
import type { RunDetail, TaskEvent, WorkflowRun } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { age } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { href } from '../lib/route';
import { api, useEvents } from '../lib/session';

/** Events that move a run on: its own, and those of its steps' tasks. */
const RUN_EVENT = /^(run|step)_/;

/** Recent runs (of one workflow when `name`), newest first; live through the event stream. */
export function RunList({ name }: { name: string | null }) {
  const list = useLoad(() => api.runs(name ? { name } : {}), [name]);
  const onEvent = useCallback(
    (e: TaskEvent) => {
      if (RUN_EVENT.test(e.type)) list.reload();
    },
    [list.reload],
  );
  useEvents(onEvent);
  const now = useNow(30_000);
  const runs: WorkflowRun[] = list.data ?? [];
  return (
    <section aria-labelledby="runs-title">
      <h2 id="runs-title">Runs{name ? ` of ${name}` : ''}</h2>
      <ErrorNote error={list.error} />
      {list.data && runs.length === 0 ? <p class="muted">No runs yet. Start one with `baton workflow run NAME`.</p> : null}
      {runs.length ? (
        <div class="table-wrap">
          <table class="table">
            <caption class="sr-only">Workflow runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Workflow</th>
                <th scope="col">Status</th>
                <th scope="col">Steps</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <th scope="row">
                    <a href={href('/workflows', { run: String(r.id) })}>#{r.id}</a>
                  </th>
                  <td>
                    {r.workflow} <span class="muted small">v{r.version}</span>
                  </td>
                  <td>
                    <span class={`chip status-${r.status}`}>{r.status}</span>
                  </td>
                  <td class="small">
                    {r.steps.filter((s) => s.status === 'completed').length}/{r.steps.length} done
                  </td>
                  <td title={r.createdAt}>{age(r.createdAt, now)} ago</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** One run: each step with its state, times and task links; live through the event stream. */
export function RunView({ id }: { id: number }) {
  const one = useLoad(() => api.run(id), [id]);
  const run: RunDetail | null = one.data;
  const def = useLoad(
    () => (run ? api.workflow(run.workflow, run.version) : Promise.resolve(null)),
    [run?.workflow, run?.version],
  );
  const approvals = new Set((def.data?.definition.steps ?? []).filter((s) => s.approval).map((s) => s.id));
  const onEvent = useCallback(
    (e: TaskEvent) => {
      const mine = run?.tasks.some((t) => t.id === e.taskId) || e.taskId === run?.parentTaskId;
      if (mine || (RUN_EVENT.test(e.type) && e.data?.run === id)) one.reload();
    },
    [one.reload, run, id],
  );
  useEvents(onEvent);
  return (
    <section aria-labelledby="run-title">
      <h2 id="run-title">
        Run #{id}
        {run ? (
          <span class="muted small">
            {' '}
            {run.workflow} v{run.version} · <span class={`chip status-${run.status}`}>{run.status}</span>
          </span>
        ) : null}
      </h2>
      <ErrorNote error={one.error} />
      {run ? (
        <>
          {run.error ? <p class="error">{run.error}</p> : null}
          <p class="small">
            Params: <code>{JSON.stringify(run.params)}</code>
            {run.parentTaskId ? (
              <>
                {' '}
                · run task <a href={href(`/tasks/${run.parentTaskId}`)}>#{run.parentTaskId}</a>
              </>
            ) : null}
          </p>
          <div class="table-wrap">
            <table class="table">
              <caption class="sr-only">Steps of run #{id}</caption>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Ended</th>
                  <th scope="col">Tasks</th>
                </tr>
              </thead>
              <tbody>
                {run.steps.map((s) => (
                  <tr key={s.id} data-step={s.id} data-status={s.status}>
                    <th scope="row">{s.id}</th>
                    <td>
                      <span class={`chip status-${s.status}`}>{s.status}</span>
                      {s.status === 'waiting' && s.waitUntil ? <div class="muted small">until {s.waitUntil}</div> : null}
                      {s.error ? <div class="error small">{s.error}</div> : null}
                      {s.decision ? (
                        <div class="muted small">
                          {s.decision.approved ? 'approved' : 'rejected'} by {s.decision.by ?? s.decision.role}
                          {s.decision.comment ? `: ${s.decision.comment}` : ''}
                        </div>
                      ) : null}
                      {s.status === 'waiting' && approvals.has(s.id) && !s.decision && run.status === 'running' ? (
                        <Decide run={run.id} step={s.id} onDone={one.reload} />
                      ) : null}
                    </td>
                    <td class="small">{s.startedAt ?? '—'}</td>
                    <td class="small">{s.finishedAt ?? '—'}</td>
                    <td>
                      {run.tasks
                        .filter((t) => t.step === s.id)
                        .map((t) => (
                          <div key={t.id} class="small">
                            <a href={href(`/tasks/${t.id}`)}>#{t.id}</a> {t.status} · {t.title}
                            {t.run !== undefined ? (
                              <>
                                {' '}
                                · <a href={href('/workflows', { run: String(t.run) })}>run {t.run}</a>
                              </>
                            ) : null}
                          </div>
                        ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}

/** Approve or reject an approval step; the server checks the caller's role against the step's. */
function Decide({ run, step, onDone }: { run: number; step: string; onDone: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const decide = (reject: boolean) => {
    setError(null);
    api.approveStep(run, step, reject ? { reject: true } : {}).then(onDone, setError);
  };
  return (
    <div class="actions">
      <button type="button" class="btn" onClick={() => decide(false)}>
        Approve
      </button>{' '}
      <button type="button" class="btn" onClick={() => decide(true)}>
        Reject
      </button>
      <ErrorNote error={error} />
    </div>
  );
}
