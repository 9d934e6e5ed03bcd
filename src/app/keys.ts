import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import { API_KEY_ROLES, type ApiKey, type ApiKeyRole, KEY_CAPABILITIES } from '../core/types.js';
import type { ApiKeyRecord, Store } from '../store/store.js';
import type { CreatedKey, CreateKeyInput } from './baton.js';

/**
 * API keys: `baton_<id>_<secret>`. The id finds the record; the whole key is compared, hashed,
 * in constant time. Only the sha256 of a key is stored — enough for 32 random bytes, which no
 * one can guess or brute-force, so a slow password hash would buy nothing.
 */

const ROLES: readonly ApiKeyRole[] = API_KEY_ROLES;
const KEY_FORMAT = /^baton_([a-z0-9]{8,32})_([A-Za-z0-9_-]{20,100})$/;
/** How stale the in-memory copy of the keys may get (a revocation takes effect within this). */
const REFRESH_MS = 2_000;

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** The record without its hash: what leaves the app. */
export function publicKey(record: ApiKeyRecord): ApiKey {
  const { hash: _hash, ...rest } = record;
  return rest;
}

export async function createKey(store: Store, input: CreateKeyInput, clock: Clock): Promise<CreatedKey> {
  if (!ROLES.includes(input.role)) {
    throw new BatonError('invalid_argument', `role: must be one of ${ROLES.join(', ')}`, { field: 'role' });
  }
  if (input.role === 'worker' && !input.workerId) {
    throw new BatonError('invalid_argument', 'worker: a worker key needs the worker id it acts as (--worker ID)', {
      field: 'worker',
    });
  }
  if (input.role !== 'worker' && input.workerId) {
    throw new BatonError('invalid_argument', 'worker: only a worker key is bound to a worker', { field: 'worker' });
  }
  const capabilities = [...new Set(input.capabilities ?? [])];
  const unknown = capabilities.find((c) => !KEY_CAPABILITIES.includes(c));
  if (unknown !== undefined) {
    throw new BatonError(
      'invalid_argument',
      `capabilities: unknown "${String(unknown).slice(0, 40)}"; known: ${KEY_CAPABILITIES.join(', ')}`,
      {
        field: 'capabilities',
      },
    );
  }
  if (capabilities.length > 0 && input.role !== 'admin') {
    throw new BatonError('invalid_argument', 'capabilities: only an admin key may have capabilities', { field: 'capabilities' });
  }
  const chosen = input.key === undefined ? null : await chosenKey(store, input);
  if (chosen?.existing) return { key: chosen.key, record: publicKey(chosen.existing) };
  const id = chosen?.id ?? randomBytes(6).toString('hex');
  const key = chosen?.key ?? `baton_${id}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id,
    hash: hashKey(key),
    role: input.role,
    workerId: input.workerId ?? null,
    name: input.name ?? null,
    capabilities,
    createdAt: new Date(clock.now()).toISOString(),
    revokedAt: null,
  };
  await store.insertKey(record);
  return { key, record: publicKey(record) };
}

/** The smallest secret a chosen key may have: 32 random bytes, in base64url. */
const CHOSEN_SECRET_MIN = 43;

/** A key the operator made: well formed, long enough, and new — or the very same key, already there. */
async function chosenKey(
  store: Store,
  input: CreateKeyInput,
): Promise<{ id: string; key: string; existing: ApiKeyRecord | null }> {
  const key = String(input.key);
  const m = KEY_FORMAT.exec(key);
  if (!m || (m[2] as string).length < CHOSEN_SECRET_MIN) {
    throw new BatonError(
      'invalid_argument',
      `key: must look like baton_<id>_<secret>: an id of 8–32 lowercase letters and digits, and a secret of at least ${CHOSEN_SECRET_MIN} characters of A–Z, a–z, 0–9, - and _ (32 random bytes)`,
      { field: 'key' },
    );
  }
  const id = m[1] as string;
  const existing = (await store.listKeys()).find((k) => k.id === id) ?? null;
  if (!existing) return { id, key, existing: null };
  const same = existing.hash === hashKey(key) && existing.revokedAt === null && existing.role === input.role;
  const sameWorker = existing.workerId === (input.workerId ?? null);
  if (!same || !sameWorker) {
    throw new BatonError('key_exists', `a different key (or one revoked, or with another role) already has the id ${id}`, { id });
  }
  return { id, key, existing };
}

export async function revokeKey(store: Store, id: string, clock: Clock): Promise<ApiKey> {
  if (typeof id !== 'string' || !(await store.revokeKey(id, clock.now()))) {
    throw new BatonError('key_not_found', `no active key with id ${String(id).slice(0, 40)}`, { id });
  }
  const revoked = (await store.listKeys()).find((k) => k.id === id) as ApiKeyRecord;
  return publicKey(revoked);
}

/** The store's keys, cached briefly so that a request costs no read of the store. */
export class KeyRing {
  private keys = new Map<string, ApiKeyRecord>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Forgets the cached keys: the next request reads them again (after a change made here). */
  invalidate(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  /** Whether any active key exists (then every request must carry one). */
  async any(): Promise<boolean> {
    await this.fresh();
    return this.keys.size > 0;
  }

  /** The active key matching `presented`, or null. */
  async verify(presented: string): Promise<ApiKey | null> {
    const match = KEY_FORMAT.exec(presented);
    if (!match) return null;
    await this.fresh();
    const id = match[1] as string;
    let record = this.keys.get(id);
    // A key created a moment ago by another process: look once more, now — but not for every
    // request with a made-up key, which would turn each into a read of the store.
    if (!record && this.mayReloadFor(id)) {
      await this.reload();
      record = this.keys.get(id);
    }
    if (!record) return null;
    const given = Buffer.from(hashKey(presented), 'hex');
    const stored = Buffer.from(record.hash, 'hex');
    return given.length === stored.length && timingSafeEqual(given, stored) ? publicKey(record) : null;
  }

  private readonly misses = new Map<string, number>();
  private missReloads: number[] = [];

  private mayReloadFor(id: string): boolean {
    const now = this.clock.now();
    if (now - (this.misses.get(id) ?? 0) < 1_000) return false;
    this.missReloads = this.missReloads.filter((at) => now - at < 1_000);
    if (this.missReloads.length >= 20) return false;
    this.missReloads.push(now);
    if (this.misses.size > 10_000) this.misses.clear();
    this.misses.set(id, now);
    return true;
  }

  private async fresh(): Promise<void> {
    if (this.clock.now() - this.loadedAt > REFRESH_MS) await this.reload();
  }

  private reload(): Promise<void> {
    this.loading ??= this.store
      .listKeys()
      .then((all) => {
        this.keys = new Map(all.filter((k) => k.revokedAt === null).map((k) => [k.id, k]));
        this.loadedAt = this.clock.now();
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}
