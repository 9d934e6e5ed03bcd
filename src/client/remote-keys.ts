import type { CreatedKey, CreateKeyInput } from '../app/baton.js';
import { BatonError } from '../core/errors.js';
import type { ApiKey } from '../core/types.js';
import type { HttpClient } from './http.js';

/** RemoteBaton's API key calls. */

export function createKey(http: HttpClient, input: CreateKeyInput): Promise<CreatedKey> {
  return http.call('POST', '/keys', { body: input });
}

export async function listKeys(http: HttpClient): Promise<ApiKey[]> {
  return (await http.call<{ keys: ApiKey[] }>('GET', '/keys')).keys;
}

export function revokeKey(http: HttpClient, id: string): Promise<ApiKey> {
  return http.call('DELETE', `/keys/${encodeURIComponent(id)}`);
}

/** Asks the server who a key is; an unknown or revoked key is null. */
export async function verifyKey(http: HttpClient, presented: string): Promise<ApiKey | null> {
  try {
    const me = await http.call<{ key: ApiKey | null }>('GET', '/whoami', {
      headers: { authorization: `Bearer ${presented}` },
    });
    return me.key;
  } catch (err) {
    if (err instanceof BatonError && err.code === 'unauthenticated') return null;
    throw err;
  }
}

/** A server with no keys lets anyone in as admin; one with keys asks this client for its own. */
export async function hasActiveKeys(http: HttpClient): Promise<boolean> {
  try {
    return (await listKeys(http)).some((k) => k.revokedAt === null);
  } catch (err) {
    if (err instanceof BatonError && (err.code === 'unauthenticated' || err.code === 'forbidden')) return true;
    throw err;
  }
}
