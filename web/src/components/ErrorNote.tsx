import { ApiError } from '../api/client';

/** A refusal in words a person can act on: the server's message, the field it names, its code. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return `Not allowed: ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div class="error-note" role="alert">
      <strong>{describe(error)}</strong>
      {code ? <span class="muted small"> ({code})</span> : null}
    </div>
  );
}
