import { useEffect, useMemo, useState } from 'preact/hooks';
import { analyzeComplexity } from '../../../src/core/breakdown/complexity.js';
import { ApiError } from '../api/client';
import type { CreateTaskInput, Plan, PlannedSubtask, Priority } from '../api/types';
import { PRIORITIES } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { TextField } from '../components/TextField';
import { list, minutes, parseEstimate } from '../lib/format';
import { navigate } from '../lib/route';
import { api, getSession } from '../lib/session';
import { previewCreate } from './preview';

interface Form {
  title: string;
  description: string;
  type: string;
  priority: Priority;
  capabilities: string;
  resources: string;
  queue: string;
  tags: string;
  estimate: string;
  dependsOn: string;
  command: string;
  review: boolean;
  noBreakdown: boolean;
  hold: boolean;
  runAfter: string;
  every: string;
  timezone: string;
}

const EMPTY: Form = {
  title: '',
  description: '',
  type: '',
  priority: 'normal',
  capabilities: '',
  resources: '',
  queue: '',
  tags: '',
  estimate: '',
  dependsOn: '',
  command: '',
  review: false,
  noBreakdown: false,
  hold: false,
  runAfter: '',
  every: '',
  timezone: '',
};

/** Form fields → the API's input; a field the browser can already tell is wrong is reported by name. */
function toInput(f: Form): { input: CreateTaskInput; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const input: CreateTaskInput = { title: f.title.trim(), priority: f.priority };
  if (f.description.trim()) input.description = f.description;
  if (f.type.trim()) input.type = f.type.trim();
  if (f.capabilities.trim()) input.capabilities = list(f.capabilities);
  if (f.resources.trim()) input.resources = f.resources.split(',').map((r) => r.trim());
  if (f.queue.trim()) input.queue = f.queue.trim();
  if (f.tags.trim()) input.tags = list(f.tags);
  const est = parseEstimate(f.estimate);
  if (typeof est === 'object' && est !== null) problems.estimateMinutes = est.problem;
  else if (est !== null) input.estimateMinutes = est;
  if (f.dependsOn.trim()) {
    const ids = list(f.dependsOn).map((s) => Number(s.replace(/^#/, '')));
    if (ids.some((n) => !Number.isInteger(n) || n <= 0)) problems.dependsOn = 'task ids, comma-separated';
    else input.dependsOn = ids;
  }
  if (f.command.trim()) input.command = f.command;
  if (f.review) input.review = true;
  if (f.noBreakdown) input.noBreakdown = true;
  if (f.hold) input.hold = true;
  if (f.runAfter.trim()) input.runAfter = f.runAfter.trim();
  if (f.every.trim()) input.every = f.every.trim();
  if (f.timezone.trim()) input.timezone = f.timezone.trim();
  return { input, problems };
}

/** Maps a server field name (`dependsOn.0`, `estimateMinutes`) to the form field that shows it. */
function fieldOf(name: string | null): string {
  return (name ?? '').split('.')[0] ?? '';
}

type Preview =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ready'; plan: Plan | null; complexity: string; caveat: string | null; message: string }
  | { state: 'error'; error: unknown };

export function NewTaskView() {
  const [form, setForm] = useState<Form>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<Preview>({ state: 'idle' });
  const { input, problems } = useMemo(() => toInput(form), [form]);
  const estimate = useMemo(
    () => (input.title ? analyzeComplexity({ ...input, estimateMinutes: input.estimateMinutes ?? null }) : null),
    [input],
  );
  const serverField = error instanceof ApiError ? fieldOf(error.field) : '';

  useEffect(() => {
    if (!input.title || Object.keys(problems).length) {
      setPreview({ state: 'idle' });
      return;
    }
    const t = setTimeout(async () => {
      setPreview({ state: 'loading' });
      try {
        const r = await previewCreate(input);
        setPreview({
          state: 'ready',
          plan: r.plan,
          complexity: r.analysis.complexity,
          caveat: r.caveat,
          message: r.analysis.recommendation.message,
        });
      } catch (e) {
        setPreview({ state: 'error', error: e });
      }
    }, 300);
    return () => clearTimeout(t);
  }, [JSON.stringify(input)]);

  const set = (key: keyof Form) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setForm((f) => ({ ...f, [key]: el.type === 'checkbox' ? el.checked : el.value }));
  };
  /** What is wrong with a field: the form's own check, or the server's refusal naming it. */
  const problem = (key: string) => problems[key] ?? (serverField === key ? (error as ApiError).message : undefined);
  /** The props every text field of the form takes from its key in the form. */
  const text = (key: keyof Form & string) => ({
    name: key,
    value: form[key] as string,
    onInput: set(key),
    problem: problem(key),
  });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (Object.keys(problems).length) return;
    setBusy(true);
    setError(null);
    try {
      const task = await api.createTask(input);
      navigate(`/tasks/${task.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // A server that does not let this caller run code on workers says so here, not on submit.
  const commandsAllowed = getSession().identity?.commands !== false;

  return (
    <div class="new-task">
      <form class="panel" onSubmit={submit} aria-labelledby="new-title" noValidate>
        <h1 id="new-title">New task</h1>
        <TextField label="Title (required)" {...text('title')} maxLength={200} />
        <TextField label="Description" {...text('description')} rows={5} />
        <div class="row">
          <label class="field">
            <span>Priority</span>
            <select name="priority" value={form.priority} onChange={set('priority')}>
              {PRIORITIES.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </label>
          <TextField label="Type" {...text('type')} placeholder="feature" />
          <TextField
            label="Estimate"
            {...text('estimate')}
            problem={problem('estimateMinutes')}
            problemKey="estimateMinutes"
            placeholder="90m, 4h30m, 1d4h"
          />
        </div>
        <div class="row">
          <TextField label="Capabilities (comma-separated)" {...text('capabilities')} />
          <TextField label="Tags (comma-separated)" {...text('tags')} />
          <TextField label="Resources (name or name:N, comma-separated)" {...text('resources')} />
          <TextField label="Queue" {...text('queue')} placeholder="default" />
          <TextField label="Depends on (task ids)" {...text('dependsOn')} placeholder="12, 15" />
        </div>
        <div class="row">
          <TextField label="Run after (not claimed before)" {...text('runAfter')} placeholder="10m, 2h, 2030-01-01T09:00:00Z" />
          <TextField label="Every (cron: a recurring task)" {...text('every')} mono placeholder="0 9 * * 1-5" />
          <TextField label="Time zone of the cron" {...text('timezone')} placeholder="UTC" />
        </div>
        <TextField
          label="Command (run by executor workers)"
          {...text('command')}
          mono
          disabled={!commandsAllowed}
          note={
            commandsAllowed
              ? null
              : {
                  id: 'command-locked',
                  text: 'Setting a command needs a key with the commands capability, or a server started with --allow-commands: whoever can set commands can run code on every worker that runs task commands.',
                }
          }
        />
        <div class="row">
          <label class="check">
            <input type="checkbox" name="review" checked={form.review} onChange={set('review')} />
            <span>Needs review</span>
          </label>
          <label class="check">
            <input type="checkbox" name="noBreakdown" checked={form.noBreakdown} onChange={set('noBreakdown')} />
            <span>Do not break down</span>
          </label>
          <label class="check" title="No worker claims it until it is resumed: edit it or break it down first">
            <input type="checkbox" name="hold" checked={form.hold} onChange={set('hold')} />
            <span>Hold</span>
          </label>
        </div>
        {error && !serverField ? <ErrorNote error={error} /> : null}
        {error && serverField ? (
          <p class="error-note" role="alert">
            {(error as ApiError).message}
          </p>
        ) : null}
        <div class="button-row">
          <button type="submit" class="primary" disabled={busy || !form.title.trim()}>
            {busy ? 'Creating…' : 'Create task'}
          </button>
        </div>
      </form>
      <aside class="panel preview" aria-labelledby="preview-title" aria-live="polite">
        <h2 id="preview-title">Preview</h2>
        {estimate ? (
          <div class="estimate">
            <p>
              Complexity:{' '}
              <strong data-testid="complexity">{preview.state === 'ready' ? preview.complexity : estimate.complexity}</strong>{' '}
              <span class="muted small">({estimate.basis === 'estimate' ? 'from the estimate' : 'from the text'})</span>
            </p>
            {estimate.reasons.length ? (
              <ul class="plain small">
                {estimate.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : (
          <p class="muted">Type a title to see its complexity and how it would be broken down.</p>
        )}
        <BreakdownPreview preview={preview} noBreakdown={form.noBreakdown} />
      </aside>
    </div>
  );
}

function BreakdownPreview({ preview, noBreakdown }: { preview: Preview; noBreakdown: boolean }) {
  if (preview.state === 'idle') return null;
  if (preview.state === 'loading') return <p class="muted small">Checking the breakdown…</p>;
  if (preview.state === 'error') return <ErrorNote error={preview.error} />;
  if (!preview.plan || preview.plan.subtasks.length === 0) {
    return (
      <div>
        <p class="muted">{noBreakdown ? 'Breakdown is turned off for this task.' : 'It would be created as one task.'}</p>
        {preview.message ? <p class="muted small">{preview.message}</p> : null}
      </div>
    );
  }
  return (
    <div class="breakdown-preview">
      <p>
        It would be broken down into <strong>{preview.plan.subtasks.length}</strong> subtasks
        {preview.plan.pattern ? ` (${preview.plan.pattern} pattern)` : ''}:
      </p>
      <PlanTree items={preview.plan.subtasks} />
      {preview.caveat ? <p class="muted small">{preview.caveat}</p> : null}
    </div>
  );
}

function PlanTree({ items }: { items: PlannedSubtask[] }) {
  return (
    <ol class="plan">
      {items.map((s, i) => (
        <li key={`${i}-${s.title}`}>
          <span>{s.title}</span>{' '}
          <span class="muted small">
            {minutes(s.estimateMinutes)}
            {s.dependsOn.length ? ` · after ${s.dependsOn.map((d) => d + 1).join(', ')}` : ''}
            {s.capabilities.length ? ` · ${s.capabilities.join(', ')}` : ''}
          </span>
          {s.subtasks.length ? <PlanTree items={s.subtasks} /> : null}
        </li>
      ))}
    </ol>
  );
}
