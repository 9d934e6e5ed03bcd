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

/**
 * Upstream by following `dependsOn` (three levels, each level's tasks read at once); downstream
 * (two levels) by scanning the newest tasks for ones naming these. The layout is the graph's.
 */
export async function loadGraph(task: Task): Promise<DependencyGraph> {
  const nodes = new Map<number, GraphNode>([[task.id, { id: task.id, title: task.title, status: task.status }]]);
  const edges: [number, number][] = [];
  let frontier: Task[] = [task];
  for (let level = 1; level <= 3 && frontier.length; level++) {
    const wanted = new Set<number>();
    for (const t of frontier) {
      for (const dep of t.dependsOn) {
        edges.push([dep, t.id]);
        if (!nodes.has(dep)) wanted.add(dep);
      }
    }
    const read = await Promise.all(
      [...wanted].map((id) =>
        api.getTask(id).catch(() => ({ id, title: '(unavailable)', status: 'cancelled', dependsOn: [] }) as unknown as Task),
      ),
    );
    for (const d of read) nodes.set(d.id, { id: d.id, title: d.title, status: d.status });
    frontier = read;
  }
  const first = await api.listTasks({ limit: 1 });
  const offset = Math.max(0, first.total - SCAN);
  const recent = offset === 0 && first.total <= 1 ? first : await api.listTasks({ limit: SCAN, offset });
  let layer = [task.id];
  for (let level = 1; level <= 2 && layer.length; level++) {
    const next: number[] = [];
    for (const d of recent.tasks) {
      for (const id of layer) {
        if (!d.dependsOn.includes(id)) continue;
        edges.push([id, d.id]);
        if (nodes.has(d.id)) continue;
        nodes.set(d.id, { id: d.id, title: d.title, status: d.status });
        next.push(d.id);
      }
    }
    layer = next;
  }
  return { nodes: [...nodes.values()], edges, scanned: recent.tasks.length, scanTotal: first.total };
}
