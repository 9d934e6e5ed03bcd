import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Task } from '../api/types';

/**
 * One inline edit of a task field. The version is taken when editing begins, not when saving:
 * the page follows the task live, so saving at the latest version would silently overwrite a
 * change someone made while this one was being typed. Saving at the version the person saw makes
 * the server refuse (`version_mismatch`) instead, and the draft is kept.
 */
export interface FieldEdit<T> {
  editing: boolean;
  draft: T;
  setDraft: (v: T) => void;
  busy: boolean;
  error: unknown;
  /** The version the edit started from. */
  base: number;
  /** The task changed (live) since this edit began: saving will be refused. */
  stale: boolean;
  start: () => void;
  cancel: () => void;
  save: (call: (draft: T, version: number) => Promise<Task>) => Promise<void>;
  /** After a refusal: take the current version as the base, keeping the draft. */
  rebase: () => void;
}

export function useFieldEdit<T>(task: Task, value: () => T, onSaved: (t: Task) => void): FieldEdit<T> {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<T>(value);
  const [base, setBase] = useState(task.version);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return {
    editing,
    draft,
    setDraft,
    busy,
    error,
    base,
    stale: editing && task.version !== base,
    start: () => {
      setDraft(value());
      setBase(task.version);
      setError(null);
      setEditing(true);
    },
    cancel: () => {
      setEditing(false);
      setError(null);
    },
    save: async (call) => {
      setBusy(true);
      setError(null);
      try {
        const saved = await call(draft, base);
        setEditing(false);
        onSaved(saved);
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    },
    rebase: () => {
      setBase(task.version);
      setError(null);
    },
  };
}

export const isConflict = (e: unknown) => e instanceof ApiError && e.code === 'version_mismatch';
