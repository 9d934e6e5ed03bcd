import type { TeamView, WorkerLoad } from '../app/baton.js';
import type { Task } from '../core/types.js';
import { pc } from './colors.js';
import { table } from './format.js';

/** Human output of teams, workload and a task's teamwork fields. */

const rate = (r: number | null) => (r === null ? pc.dim('-') : `${Math.round(r * 100)}%`);
const health = { busy: pc.yellow, idle: pc.green, offline: pc.gray } as const;

export function formatLoad(loads: readonly WorkerLoad[]): string {
  if (loads.length === 0) return pc.dim('no workers registered');
  return table(
    ['ID', 'HEALTH', 'RUNNING', 'RESERVED', 'DONE/H', 'SUCCESS', 'DEMAND', 'TEAMS', 'CAPABILITIES'],
    loads.map((l) => [
      pc.bold(l.id),
      health[l.health](l.health),
      String(l.running),
      String(l.reserved),
      String(l.donePerHour),
      rate(l.successRate),
      String(l.demand),
      l.teams.join(',') || pc.dim('-'),
      l.capabilities.join(',') || pc.dim('-'),
    ]),
  );
}

export function formatTeams(teams: readonly TeamView[]): string {
  if (teams.length === 0) return pc.dim('no teams (create one with baton team add NAME --members w1,w2)');
  return teams
    .map((t) => {
      const head = `${pc.bold(t.name)}${t.leader ? pc.dim(` (leader ${t.leader})`) : ''}`;
      const rows = t.load.map((l) => ({ ...l, id: l.id === t.leader ? `${l.id} ★` : l.id }));
      return `${head}\n${formatLoad(rows)}`;
    })
    .join('\n\n');
}

/** The lines `baton show` adds for a task's team, collaborators, swarm and pipeline. */
export function teamworkLines(t: Task, field: (k: string, v: string) => string): string[] {
  const lines: string[] = [];
  if (t.team) lines.push(field('team', t.team));
  if (t.collaborators.length > 0) lines.push(field('collaborators', t.collaborators.join(', ')));
  if (t.swarm?.role === 'parent') {
    const merge = t.swarm.merge === 'command' ? `command: ${t.swarm.mergeCommand}` : t.swarm.merge;
    lines.push(field('swarm', `${t.swarm.size} attempts, merge ${merge}`));
  }
  if (t.swarm?.role === 'attempt') lines.push(field('swarm', `attempt ${t.swarm.attempt} of #${t.swarm.of}`));
  if (t.inputFrom !== null) lines.push(field('input from', `#${t.inputFrom} (its result)`));
  return lines;
}
