import type { DependencyGraph, GraphNode } from '../views/task-data';

const W = 160;
const H = 34;
const GAP_X = 44;
const GAP_Y = 14;

/**
 * Upstream tasks on the left, this task in the middle, downstream on the right; an arrow means
 * "must complete before". Nodes are links, so the graph is navigable by keyboard too.
 */
export function DepGraph({ graph, current }: { graph: DependencyGraph; current: number }) {
  const levels = [...new Set(graph.nodes.map((n) => n.level))].sort((a, b) => a - b);
  const byLevel = new Map<number, GraphNode[]>(levels.map((l) => [l, graph.nodes.filter((n) => n.level === l)]));
  const rows = Math.max(...[...byLevel.values()].map((v) => v.length));
  const pos = new Map<number, { x: number; y: number }>();
  for (const [col, l] of levels.entries()) {
    const nodes = byLevel.get(l) ?? [];
    const offset = ((rows - nodes.length) * (H + GAP_Y)) / 2;
    for (const [row, n] of nodes.entries()) pos.set(n.id, { x: col * (W + GAP_X), y: offset + row * (H + GAP_Y) });
  }
  const width = levels.length * (W + GAP_X) - GAP_X;
  const height = rows * (H + GAP_Y) - GAP_Y;
  if (graph.nodes.length === 1) return <p class="muted">No dependencies in either direction.</p>;
  return (
    <div class="graph-wrap">
      <svg
        class="graph"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`dependency graph of task ${current}`}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#5b6675" />
          </marker>
        </defs>
        {graph.edges.map(([from, to]) => {
          const a = pos.get(from);
          const b = pos.get(to);
          if (!a || !b) return null;
          return (
            <line
              key={`${from}-${to}`}
              x1={a.x + W}
              y1={a.y + H / 2}
              x2={b.x - 2}
              y2={b.y + H / 2}
              stroke="#5b6675"
              stroke-width="1.5"
              marker-end="url(#arrow)"
            />
          );
        })}
        {graph.nodes.map((n) => {
          const p = pos.get(n.id);
          if (!p) return null;
          return (
            <a key={n.id} href={`#/tasks/${n.id}`} aria-label={`task ${n.id}: ${n.title}, ${n.status}`}>
              <rect
                x={p.x}
                y={p.y}
                width={W}
                height={H}
                rx="6"
                class={`node node-${n.status}${n.id === current ? ' node-current' : ''}`}
              />
              <text x={p.x + 8} y={p.y + 14} class="node-id">
                #{n.id} · {n.status}
              </text>
              <text x={p.x + 8} y={p.y + 28} class="node-title">
                {n.title.length > 22 ? `${n.title.slice(0, 21)}…` : n.title}
              </text>
            </a>
          );
        })}
      </svg>
    </div>
  );
}
