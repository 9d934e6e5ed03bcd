import type { PoolStatus } from '../app/baton.js';
import type { WorkerView } from '../core/types.js';
import { pc } from './colors.js';

/** A report older than this: its supervisor has probably gone without clearing it (killed). */
const STALE_MS = 60_000;

/** `baton fleet status`: each pool, its members, target and why. */
export function formatFleet(pools: PoolStatus[], now = Date.now()): string {
  if (pools.length === 0) return pc.dim('no fleet is running (start one with baton fleet FILE)');
  return pools.map((p) => formatPool(p, now)).join('\n\n');
}

function formatPool(p: PoolStatus, now: number): string {
  const state = p.degraded ? pc.red(`degraded: ${p.degradedReason ?? 'members keep crashing'}`) : pc.green('healthy');
  const live = p.members.filter((m) => m.state !== 'stopping').length;
  const lines = [
    `${pc.bold(p.name)}  ${state}  members ${live}/${p.target} (min ${p.min}, max ${p.max})  ready ${p.ready}`,
    `  capabilities ${p.capabilities.join(',') || pc.dim('none')}  queues ${p.queues?.join(',') || pc.dim('all')}  supervisor ${p.supervisor}  reported ${p.updatedAt}`,
    ...(now - Date.parse(p.updatedAt) > STALE_MS ? [pc.yellow('  no report for over a minute: its supervisor may be gone')] : []),
    `  ${pc.dim('why:')} ${p.reason}`,
  ];
  for (const m of p.members) {
    const idle = m.idleSince ? `idle since ${m.idleSince}` : 'busy';
    lines.push(
      `  - ${m.workerId}  ${m.state}  pid ${m.pid ?? '-'}  restarts ${m.restarts}  ${m.state === 'running' ? idle : ''}`.trimEnd(),
    );
  }
  return lines.join('\n');
}

/** A worker's breaker in one word or phrase: `-` (none), closed, open until …, half-open. */
export function breakerText(w: Pick<WorkerView, 'breaker'>): string {
  const b = w.breaker;
  if (!b) return pc.dim('-');
  if (b.mode === 'open') return pc.red(`open until ${b.reopensAt ?? '?'}`);
  if (b.mode === 'half_open') return pc.yellow('half-open');
  return b.consecutive > 0 ? `closed (${b.consecutive}/${b.config.failures} failed)` : pc.green('closed');
}
