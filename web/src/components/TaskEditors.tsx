import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Task } from '../api/types';
import { editTask } from '../api/views';
import { type FieldEdit, isConflict, useFieldEdit } from '../lib/edit';
import { list, minutes, parseEstimate } from '../lib/format';
import { ErrorNote } from './ErrorNote';

/** Inline editors of the task page: each field shows its value, and an Edit button for admins. */

export interface EditorProps {
  task: Task;
  canEdit: boolean;
  onSaved: (t: Task) => void;
}

/** Save and Cancel, and what a refusal means: a conflict keeps the draft and offers to go on. */
function Controls<T>({ edit, onSave, current }: { edit: FieldEdit<T>; onSave: () => void; current: string }) {
  return (
    <div class="edit-controls">
      <div class="button-row">
        <button type="button" class="primary small" disabled={edit.busy} onClick={onSave}>
          Save
        </button>
        <button type="button" class="small" disabled={edit.busy} onClick={edit.cancel}>
          Cancel
        </button>
        {edit.stale && !edit.error ? (
          <span class="edit-stale small" role="status">
            Changed by someone else since you began (version {edit.base} → now newer): saving will be refused.
          </span>
        ) : null}
      </div>
      <ErrorNote error={edit.error} />
      {isConflict(edit.error) ? (
        <div class="conflict" role="status">
          <p class="small">
            Your edit was not saved: the task changed after you opened this editor. Its current value is{' '}
            <q class="conflict-current">{current || '(empty)'}</q>. Your text is kept below.
          </p>
          <button type="button" class="small" onClick={edit.rebase}>
            Edit over the current version
          </button>
        </div>
      ) : null}
    </div>
  );
}

function EditButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" class="link small edit-button" aria-label={label} onClick={onClick}>
      Edit
    </button>
  );
}

/** Enter saves, Escape cancels (a textarea keeps Enter for new lines: Ctrl+Enter saves). */
function keys(onSave: () => void, onCancel: () => void, multiline = false) {
  return (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
    } else if (e.key === 'Enter' && (!multiline || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      onSave();
    }
  };
}

export function TitleEditor({ task, canEdit, onSaved }: EditorProps) {
  const edit = useFieldEdit(task, () => task.title, onSaved);
  const save = () => void edit.save((title, v) => editTask(task.id, { title }, v));
  if (!edit.editing) {
    return (
      <h1 id="task-title" class="task-title">
        <span class="muted">#{task.id}</span> <span data-field="title">{task.title}</span>
        {canEdit ? <EditButton label="Edit title" onClick={edit.start} /> : null}
      </h1>
    );
  }
  return (
    <div class="title-editor">
      <h1 id="task-title" class="sr-only">
        #{task.id} {task.title}
      </h1>
      <input
        type="text"
        class="title-input"
        aria-label="Title"
        value={edit.draft}
        // biome-ignore lint/a11y/noAutofocus: the person just asked to edit this field
        autoFocus
        onInput={(e) => edit.setDraft((e.target as HTMLInputElement).value)}
        onKeyDown={keys(save, edit.cancel)}
      />
      <Controls edit={edit} onSave={save} current={task.title} />
    </div>
  );
}

/**
 * The description rendered, once the markdown module (loaded on first use, to keep it out of the
 * board's bundle) is in; until then the text shows as it is, escaped.
 */
function useMarkdown(text: string | null): string | null {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setHtml(null);
    if (text) void import('../lib/markdown').then((m) => live && setHtml(m.renderMarkdown(text)));
    return () => {
      live = false;
    };
  }, [text]);
  return html;
}

/** The description as markdown, sanitised (`lib/markdown.ts`): nothing in it can run. */
export function DescriptionEditor({ task, canEdit, onSaved }: EditorProps) {
  const edit = useFieldEdit(task, () => task.description ?? '', onSaved);
  const html = useMarkdown(task.description);
  const save = () => void edit.save((text, v) => editTask(task.id, { description: text.trim() ? text : null }, v));
  return (
    <section class="panel" aria-labelledby="description-title">
      <div class="panel-head">
        <h2 id="description-title">Description</h2>
        {canEdit && !edit.editing ? <EditButton label="Edit description" onClick={edit.start} /> : null}
      </div>
      {edit.editing ? (
        <>
          <textarea
            class="description-input"
            aria-label="Description"
            rows={10}
            value={edit.draft}
            // biome-ignore lint/a11y/noAutofocus: the person just asked to edit this field
            autoFocus
            onInput={(e) => edit.setDraft((e.target as HTMLTextAreaElement).value)}
            onKeyDown={keys(save, edit.cancel, true)}
          />
          <p class="muted small">Markdown. Ctrl+Enter saves, Escape cancels.</p>
          <Controls edit={edit} onSave={save} current={task.description ?? ''} />
        </>
      ) : html ? (
        /* The HTML is sanitised by DOMPurify in renderMarkdown. */
        <div class="markdown" data-field="description" dangerouslySetInnerHTML={{ __html: html }} />
      ) : task.description ? (
        <div class="markdown pre-wrap" data-field="description">
          {task.description}
        </div>
      ) : (
        <p class="muted">No description.</p>
      )}
    </section>
  );
}

/** A row of the fields list that can be edited in place. */
function EditableRow(props: {
  label: string;
  edit: FieldEdit<string>;
  canEdit: boolean;
  children: ComponentChildren;
  editor: ComponentChildren;
}) {
  return (
    <div class="field-row">
      <dt>{props.label}</dt>
      <dd>
        {props.edit.editing ? (
          props.editor
        ) : (
          <>
            {props.children}
            {props.canEdit ? <EditButton label={`Edit ${props.label.toLowerCase()}`} onClick={props.edit.start} /> : null}
          </>
        )}
      </dd>
    </div>
  );
}

/** Capabilities or tags: chips, edited as a comma-separated list. */
export function NamesEditor({ task, canEdit, onSaved, field }: EditorProps & { field: 'capabilities' | 'tags' }) {
  const label = field === 'capabilities' ? 'Capabilities' : 'Tags';
  const edit = useFieldEdit(task, () => task[field].join(', '), onSaved);
  const save = () => void edit.save((text, v) => editTask(task.id, { [field]: list(text) }, v));
  const editor = (
    <>
      <input
        type="text"
        aria-label={label}
        value={edit.draft}
        placeholder="comma-separated"
        // biome-ignore lint/a11y/noAutofocus: the person just asked to edit this field
        autoFocus
        onInput={(e) => edit.setDraft((e.target as HTMLInputElement).value)}
        onKeyDown={keys(save, edit.cancel)}
      />
      <Controls edit={edit} onSave={save} current={task[field].join(', ')} />
    </>
  );
  return (
    <EditableRow label={label} edit={edit} canEdit={canEdit} editor={editor}>
      {task[field].length ? (
        <ul class="chips inline-chips" data-field={field}>
          {task[field].map((c) => (
            <li key={c} class="chip">
              {c}
            </li>
          ))}
        </ul>
      ) : (
        <span class="muted">{field === 'capabilities' ? 'any worker' : 'none'}</span>
      )}
    </EditableRow>
  );
}

/** The estimate as Baton writes it (`4h30m`); an unreadable one is refused before sending. */
export function EstimateEditor({ task, canEdit, onSaved }: EditorProps) {
  const shown = task.estimateMinutes === null ? '' : minutes(task.estimateMinutes);
  const edit = useFieldEdit(task, () => shown, onSaved);
  const parsed = parseEstimate(edit.draft);
  const problem = parsed !== null && typeof parsed === 'object' ? parsed.problem : null;
  const save = () => {
    if (problem) return;
    void edit.save((_text, v) => editTask(task.id, { estimateMinutes: parsed as number | null }, v));
  };
  const editor = (
    <>
      <input
        type="text"
        aria-label="Estimate"
        value={edit.draft}
        placeholder="e.g. 90m, 4h30m, 2d"
        aria-invalid={problem ? true : undefined}
        // biome-ignore lint/a11y/noAutofocus: the person just asked to edit this field
        autoFocus
        onInput={(e) => edit.setDraft((e.target as HTMLInputElement).value)}
        onKeyDown={keys(save, edit.cancel)}
      />
      {problem ? <p class="text-bad small">{problem}</p> : null}
      <Controls edit={edit} onSave={save} current={shown} />
    </>
  );
  return (
    <EditableRow label="Estimate" edit={edit} canEdit={canEdit} editor={editor}>
      <span data-field="estimate">{shown || <span class="muted">none</span>}</span>
    </EditableRow>
  );
}
