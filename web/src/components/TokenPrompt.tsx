import { useState } from 'preact/hooks';

/** Shown when the server answers 401: it requires an API key (`baton keys create`). */
export function TokenPrompt({ onSubmit, hadToken }: { onSubmit: (token: string) => Promise<boolean>; hadToken: boolean }) {
  const [value, setValue] = useState('');
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <section class="panel narrow token-prompt" aria-labelledby="token-title">
      <h1 id="token-title">API key required</h1>
      <p>
        This server requires an API key. Ask an admin for one (<code>baton keys create --role viewer</code>) and paste it here. It
        is kept in this browser only.
      </p>
      {hadToken || failed ? (
        <p class="error-note" role="alert">
          The key was refused. Check it and try again.
        </p>
      ) : null}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const ok = await onSubmit(value.trim());
          setBusy(false);
          setFailed(!ok);
        }}
      >
        <label class="field">
          <span>API key</span>
          <input
            type="password"
            name="token"
            autoComplete="off"
            required
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="primary" disabled={busy || !value.trim()}>
          {busy ? 'Checking…' : 'Use this key'}
        </button>
      </form>
    </section>
  );
}
