import { LIMITS } from '../../../src/core/limits.js';
import type { Task, TaskDetail, TaskEvent } from '../api/types';
import { api } from '../lib/session';

/** A task with its history, whichever shape the server answers with (the task, or task + history). */
export async function loadDetail(id: number): Promise<TaskDetail> {
  const raw = (await api.showTask(id)) as TaskDetail | Task;
  if ('task' in raw && raw.task) {
    const detail = raw as TaskDetail;
    if (!detail.history) detail.history = await historyOf(id);
    return detail;
  }
  const task = raw as Task;
  return { task, history: await historyOf(id), blockedBy: [] };
}

async function historyOf(id: number): Promise<TaskEvent[]> {
  try {
    return await api.events({ taskId: id, limit: 500 });
  } catch {
    return [];
  }
}

export interface SubtaskTree {
  id: number;
  title: string;
  status: Task['status'];
  progress: number;
  estimateMinutes: number | null;
  children: SubtaskTree[];
}

/** Subtasks level by level (depth-limited: a breakdown is a few levels at most). */
export async function loadTree(parentId: number, depth = 4): Promise<SubtaskTree[]> {
  if (depth === 0) return [];
  const page = await api.listTasks({ parentId, limit: 500 });
  return Promise.all(
    page.tasks.map(async (t) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      progress: t.progress,
      estimateMinutes: t.estimateMinutes,
      children: await loadTree(t.id, depth - 1),
    })),
  );
}

export interface GraphNode {
  id: number;
  title: string;
  status: Task['status'];
  /** Negative: upstream distance; 0: this task; positive: downstream distance. */
  level: number;
}

export interface DependencyGraph {
  nodes: GraphNode[];
  edges: [from: number, to: number][];
  /** Downstream search covers only the newest tasks; said so in the UI. */
  scanned: number;
  scanTotal: number;
}

// One page of the listing: a larger `limit` is refused by the server (a 400 on every task page).
const SCAN = LIMITS.listLimit;

/** Upstream by following `dependsOn`; downstream by scanning the newest tasks for ones naming this. */
export async function loadGraph(task: Task): Promise<DependencyGraph> {
  const nodes = new Map<number, GraphNode>([[task.id, { id: task.id, title: task.title, status: task.status, level: 0 }]]);
  const edges: [number, number][] = [];
  let frontier: Task[] = [task];
  for (let level = -1; level >= -3 && frontier.length; level--) {
    const next: Task[] = [];
    for (const t of frontier) {
      for (const dep of t.dependsOn) {
        edges.push([dep, t.id]);
        if (nodes.has(dep)) continue;
        try {
          const d = await api.getTask(dep);
          nodes.set(dep, { id: dep, title: d.title, status: d.status, level });
          next.push(d);
        } catch {
          nodes.set(dep, { id: dep, title: '(unavailable)', status: 'cancelled', level });
        }
      }
    }
    frontier = next;
  }
  const first = await api.listTasks({ limit: 1 });
  const offset = Math.max(0, first.total - SCAN);
  const recent = offset === 0 && first.total <= 1 ? first : await api.listTasks({ limit: SCAN, offset });
  const dependents = (id: number) => recent.tasks.filter((t) => t.dependsOn.includes(id));
  let layer = [task.id];
  for (let level = 1; level <= 2 && layer.length; level++) {
    const next: number[] = [];
    for (const id of layer) {
      for (const d of dependents(id)) {
        edges.push([id, d.id]);
        if (nodes.has(d.id)) continue;
        nodes.set(d.id, { id: d.id, title: d.title, status: d.status, level });
        next.push(d.id);
      }
    }
    layer = next;
  }
  assignLevels(nodes, edges, task.id);
  return { nodes: [...nodes.values()], edges, scanned: recent.tasks.length, scanTotal: first.total };
}

/**
 * Places each node by its longest path from the task, so that a chain of upstream steps reads
 * left to right instead of piling into one column with edges crossing inside it.
 */
function assignLevels(nodes: Map<number, GraphNode>, edges: [number, number][], current: number): void {
  for (let pass = 0; pass < nodes.size; pass++) {
    let moved = false;
    for (const [from, to] of edges) {
      const a = nodes.get(from);
      const b = nodes.get(to);
      if (!a || !b || a.id === current || b.id === current) continue;
      if (a.level < 0 && b.level < 0 && a.level >= b.level) {
        a.level = b.level - 1;
        moved = true;
      }
      if (a.level > 0 && b.level > 0 && b.level <= a.level) {
        b.level = a.level + 1;
        moved = true;
      }
    }
    if (!moved) return;
  }
}
