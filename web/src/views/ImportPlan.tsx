import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { PlanImport, PlanTaskView } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { minutes } from '../lib/format';
import { href } from '../lib/route';
import { api } from '../lib/session';

const EXAMPLE = `# Authentication @backend !high
Users sign in with Google or a password.

## OAuth login ~1d
- [ ] Register the OAuth app ~1h
- [ ] Callback endpoint @api
  depends on #3

## Password reset
after OAuth login
- [ ] Reset email template
- [ ] Reset tests
  after Reset email template
`;

/** Problems of a refused plan, each with its line: what the person fixes in the text. */
function problemsOf(error: unknown): { line: number; message: string }[] {
  if (!(error instanceof ApiError) || error.code !== 'invalid_plan') return [];
  const problems = error.details?.problems;
  return Array.isArray(problems) ? (problems as { line: number; message: string }[]) : [];
}

/** The dashboard's `baton plan import`: paste a plan, preview the tree (a dry run), create it. */
export function ImportPlanView() {
  const [markdown, setMarkdown] = useState('');
  const [hold, setHold] = useState(false);
  const [result, setResult] = useState<PlanImport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const send = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api.importPlan({ markdown, dryRun, ...(hold && { hold }) }));
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const problems = problemsOf(error);

  return (
    <div class="new-task">
      <form
        class="panel"
        aria-labelledby="plan-title"
        onSubmit={(e) => {
          e.preventDefault();
          void send(false);
        }}
      >
        <h1 id="plan-title">Import a plan</h1>
        <p class="muted small">
          Headings and list items become tasks (indented items are subtasks); <code>@name</code> adds a capability,{' '}
          <code>!high</code> sets the priority, <code>~2h</code> the estimate; a line <code>depends on #3</code> or{' '}
          <code>after Title</code> under an item orders it. Text without any list is broken down by the planner.
        </p>
        <label class="field">
          <span>Plan (Markdown)</span>
          <textarea
            class="mono"
            name="markdown"
            rows={18}
            value={markdown}
            placeholder={EXAMPLE}
            onInput={(e) => {
              setMarkdown((e.target as HTMLTextAreaElement).value);
              setResult(null);
            }}
          />
        </label>
        <div class="row">
          <label class="check" title="No worker claims any of its tasks until each is resumed">
            <input type="checkbox" name="hold" checked={hold} onChange={(e) => setHold((e.target as HTMLInputElement).checked)} />
            <span>Hold every task</span>
          </label>
        </div>
        {problems.length > 0 ? (
          <div class="error-note" role="alert">
            <strong>The plan was not imported:</strong>
            <ul class="plain small">
              {problems.map((p) => (
                <li key={`${p.line}:${p.message}`}>{p.line > 0 ? `line ${p.line}: ${p.message}` : p.message}</li>
              ))}
            </ul>
          </div>
        ) : (
          <ErrorNote error={error} />
        )}
        <div class="button-row">
          <button type="button" disabled={busy || !markdown.trim()} onClick={() => void send(true)}>
            Preview
          </button>
          <button type="submit" class="primary" disabled={busy || !markdown.trim()}>
            {busy ? 'Working…' : 'Import'}
          </button>
        </div>
      </form>
      <aside class="panel preview" aria-labelledby="plan-preview-title" aria-live="polite">
        <h2 id="plan-preview-title">{result && !result.dryRun ? `Created ${result.created} tasks` : 'Preview'}</h2>
        {result ? <PlanTree result={result} /> : <p class="muted">Preview shows the tasks the plan would create.</p>}
      </aside>
    </div>
  );
}

function PlanTree({ result }: { result: PlanImport }) {
  const item = (t: PlanTaskView) => (
    <li key={t.ref} data-ref={t.ref}>
      <span class="muted small">{t.ref}.</span> {t.id !== null ? <a href={href(`/tasks/${t.id}`)}>#{t.id}</a> : null} {t.title}{' '}
      <span class={`status status-${t.status}`}>{t.status}</span>
      {t.estimateMinutes ? <span class="muted small"> {minutes(t.estimateMinutes)}</span> : null}
      {t.capabilities.length ? <span class="muted small"> [{t.capabilities.join(', ')}]</span> : null}
      {t.dependsOn.length ? <span class="muted small"> after {t.dependsOn.join(', ')}</span> : null}
      {t.subtasks.length ? <ul>{t.subtasks.map(item)}</ul> : null}
    </li>
  );
  return (
    <>
      {result.source === 'planner' ? <p class="small">Prose: broken down by the {result.planner} planner.</p> : null}
      {result.fallbackReason ? <p class="small">Note: {result.fallbackReason}; the rule planner was used.</p> : null}
      <ul class="plan-tree">{result.tasks.map(item)}</ul>
      {result.warnings.map((w) => (
        <p key={w} class="small muted">
          warning: {w}
        </p>
      ))}
    </>
  );
}
