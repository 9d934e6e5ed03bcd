import { useCallback } from 'preact/hooks';
import type { StepDefinition, TaskEvent, WorkflowRecord } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { age } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { href, type Route } from '../lib/route';
import { api, useEvents } from '../lib/session';
import { RunList, RunView } from './WorkflowRuns';

const KINDS = ['task', 'approval', 'wait', 'workflow'] as const;

/**
 * The registered workflow definitions and their runs; `?name=` opens one workflow (its params,
 * steps, triggers and runs), `?run=` one run (its steps and their tasks).
 */
export function WorkflowsView({ route }: { route: Route }) {
  const name = route.params.get('name');
  const run = Number(route.params.get('run') ?? '');
  const list = useLoad(() => api.workflows(), []);
  const onEvent = useCallback(
    (e: TaskEvent) => {
      if (e.type === 'workflow_added') list.reload();
    },
    [list.reload],
  );
  useEvents(onEvent);
  const now = useNow(30_000);
  const all = list.data ?? [];
  if (Number.isSafeInteger(run) && run > 0) return <RunView key={run} id={run} />;
  return (
    <section aria-labelledby="workflows-title">
      <h1 id="workflows-title">Workflows</h1>
      <ErrorNote error={list.error} />
      {list.data && all.length === 0 ? (
        <p class="muted">No workflow is registered yet. Register one with `baton workflow add FILE`.</p>
      ) : null}
      {all.length ? (
        <div class="table-wrap">
          <table class="table">
            <caption class="sr-only">Registered workflows, latest version of each</caption>
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">Version</th>
                <th scope="col">Steps</th>
                <th scope="col">Triggers</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {all.map((w) => (
                <tr key={w.name} data-workflow={w.name} aria-current={w.name === name ? 'true' : undefined}>
                  <th scope="row">
                    <a href={href('/workflows', { name: w.name })}>{w.name}</a>
                    {w.description ? <div class="muted small">{w.description}</div> : null}
                  </th>
                  <td>v{w.version}</td>
                  <td>{w.steps}</td>
                  <td>
                    {w.triggers}
                    {w.nextRunAt ? <div class="muted small">next {w.nextRunAt}</div> : null}
                    {w.lastTriggeredRun !== null ? (
                      <div class="muted small">
                        last <a href={href('/workflows', { run: String(w.lastTriggeredRun) })}>run {w.lastTriggeredRun}</a>
                      </div>
                    ) : null}
                  </td>
                  <td title={w.createdAt}>
                    {age(w.createdAt, now)} ago{w.createdBy ? ` by ${w.createdBy}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {name ? <WorkflowDetail key={name} name={name} /> : null}
      <RunList name={name} />
    </section>
  );
}

function WorkflowDetail({ name }: { name: string }) {
  const one = useLoad(() => api.workflow(name), [name]);
  const w: WorkflowRecord | null = one.data;
  return (
    <section aria-labelledby="workflow-title">
      <h2 id="workflow-title">
        {name}
        {w ? <span class="muted small"> version {w.version}</span> : null}
      </h2>
      <ErrorNote error={one.error} />
      {w ? (
        <>
          {Object.keys(w.definition.params ?? {}).length ? (
            <p>
              Params:{' '}
              {Object.entries(w.definition.params ?? {}).map(([p, spec]) => (
                <span key={p} class="chip">
                  {p}: {spec.type}
                  {spec.required ? ' (required)' : ''}
                </span>
              ))}
            </p>
          ) : null}
          <div class="table-wrap">
            <table class="table">
              <caption class="sr-only">Steps of {name}</caption>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Does</th>
                  <th scope="col">Needs</th>
                  <th scope="col">Runs</th>
                </tr>
              </thead>
              <tbody>
                {w.definition.steps.map((s) => (
                  <tr key={s.id} data-step={s.id}>
                    <th scope="row">{s.id}</th>
                    <td>{does(s)}</td>
                    <td>{s.needs?.join(', ') || <span class="muted">—</span>}</td>
                    <td class="small">{runs(s)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {w.definition.on_failure?.length ? <p>On failure: {w.definition.on_failure.join(', ')}</p> : null}
          {(w.definition.triggers ?? []).map((t, i) => (
            <p key={i} class="muted">
              Trigger:{' '}
              {t.cron
                ? `cron ${t.cron}${t.timezone ? ` (${t.timezone})` : ''}`
                : `event ${t.event?.type ?? ''}${t.event?.tag ? ` tagged ${t.event.tag}` : ''}`}
            </p>
          ))}
        </>
      ) : null}
    </section>
  );
}

function does(s: StepDefinition): string {
  const kind = KINDS.find((k) => s[k] !== undefined) ?? '';
  if (s.task) return `task: ${s.task.title}`;
  if (s.workflow) return `workflow ${s.workflow.name}`;
  if (s.approval) return `approval by ${s.approval.by.join(', ')}`;
  if (s.wait) return `wait ${s.wait.duration ?? s.wait.until ?? s.wait.event?.type ?? ''}`;
  return kind;
}

function runs(s: StepDefinition): string {
  const parts: string[] = [];
  if (s.if) parts.push(`if ${s.if}`);
  if (s.foreach !== undefined) parts.push(`for each of ${typeof s.foreach === 'string' ? s.foreach : JSON.stringify(s.foreach)}`);
  if (s.loop) parts.push(`until ${s.loop.until} (at most ${s.loop.max})`);
  return parts.join('; ');
}
