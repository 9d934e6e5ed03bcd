import { useEffect, useState } from 'preact/hooks';
import { ApiClient } from '../api/client';
import { openStream, type StreamState } from '../api/sse';
import type { Identity, TaskEvent } from '../api/types';

const TOKEN_KEY = 'baton.token';

export interface SessionState {
  token: string | null;
  /** Set once the server has answered who we are; null while unknown. */
  identity: Identity | null;
  /** The server asked for a key (401) and we have none that works. */
  needsToken: boolean;
  stream: StreamState;
}

type Listener = () => void;
const listeners = new Set<Listener>();
const eventListeners = new Set<(e: TaskEvent) => void>();

let state: SessionState = {
  token: localStorage.getItem(TOKEN_KEY),
  identity: null,
  needsToken: false,
  stream: 'connecting',
};

function set(patch: Partial<SessionState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export const api = new ApiClient({
  token: () => state.token,
  onUnauthorized: () => set({ needsToken: true }),
});

export function getSession(): SessionState {
  return state;
}

export function useSession(): SessionState {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return state;
}

/** True when the key in use can only read: write controls are hidden, not merely refused. */
export function isReadOnly(s: SessionState = state): boolean {
  return s.identity?.role === 'viewer';
}

/** Creating and steering tasks needs an admin key; a worker key may only do (and review) work as itself. */
export function canSteer(s: SessionState = state): boolean {
  return s.identity?.role === 'admin';
}

let closeStream: (() => void) | null = null;

function startStream(): void {
  closeStream?.();
  closeStream = openStream({
    token: () => state.token,
    onState: (stream) => set(stream === 'unauthorized' ? { stream, needsToken: true } : { stream }),
    onEvent: (e) => {
      for (const l of eventListeners) l(e);
    },
  });
}

/** Subscribes a view to every change the server streams. */
export function useEvents(handler: (e: TaskEvent) => void): void {
  useEffect(() => {
    eventListeners.add(handler);
    return () => {
      eventListeners.delete(handler);
    };
  }, [handler]);
}

/** Asks the server who the key is; a server without auth answers as admin. */
async function identify(): Promise<boolean> {
  try {
    set({ identity: await api.whoami(), needsToken: false });
    return true;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 401) {
      set({ needsToken: true, identity: null });
      return false;
    }
    // No identity route: assume full rights and let the server refuse what it must.
    set({ identity: { role: 'admin', workerId: null } });
    return true;
  }
}

export async function startSession(): Promise<void> {
  if (await identify()) startStream();
}

export async function applyToken(token: string | null): Promise<boolean> {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  set({ token, needsToken: false });
  const ok = await identify();
  if (ok) startStream();
  return ok;
}
