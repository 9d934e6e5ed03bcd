import type dagreModule from '@dagrejs/dagre';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { centreOn, fitView, usePanZoom } from '../lib/pan-zoom';
import type { DependencyGraph, GraphNode } from '../views/task-data';

const W = 176;
const H = 38;

interface Placed extends GraphNode {
  x: number;
  y: number;
}

interface Layout {
  nodes: Placed[];
  edges: { from: number; to: number; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
}

/**
 * Layered layout (dagre, the Sugiyama method): every arrow points right, from a task to the ones
 * waiting for it, and crossings are kept few, so a graph of a hundred tasks still reads as columns.
 */
export function layoutGraph(dagre: typeof dagreModule, graph: DependencyGraph): Layout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 56, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(String(n.id), { width: W, height: H });
  const seen = new Set<string>();
  for (const [from, to] of graph.edges) {
    const key = `${from}-${to}`;
    if (seen.has(key) || !g.hasNode(String(from)) || !g.hasNode(String(to))) continue;
    seen.add(key);
    g.setEdge(String(from), String(to));
  }
  dagre.layout(g);
  const nodes = graph.nodes.map((n) => {
    const p = g.node(String(n.id));
    return { ...n, x: (p?.x ?? 0) - W / 2, y: (p?.y ?? 0) - H / 2 };
  });
  const edges = g.edges().map((e) => ({ from: Number(e.v), to: Number(e.w), points: g.edge(e)?.points ?? [] }));
  const label = g.graph();
  return { nodes, edges, width: label.width ?? W, height: label.height ?? H };
}

const path = (points: { x: number; y: number }[]) =>
  points.map((p, i) => `${i === 0 ? 'M' : 'L'}${Math.round(p.x)},${Math.round(p.y)}`).join(' ');

/**
 * Upstream tasks on the left, this task highlighted, downstream on the right; an arrow means
 * "must complete before". Drag to pan, wheel or the buttons to zoom. Nodes are links, so the graph
 * is navigable by keyboard too.
 */
export function DepGraph({ graph, current }: { graph: DependencyGraph; current: number }) {
  // The layout library is loaded with the first graph, not with the board.
  const [dagre, setDagre] = useState<typeof dagreModule | null>(null);
  useEffect(() => {
    void import('@dagrejs/dagre').then((m) => setDagre(() => m.default));
  }, []);
  // The page reloads on every change nearby; the layout (and the view) follow the graph's shape,
  // not each reload, so a status change does not throw away where the person panned to.
  const shape = useMemo(() => JSON.stringify([graph.nodes.map((n) => [n.id, n.status, n.title]), graph.edges]), [graph]);
  const layout = useMemo(() => (dagre ? layoutGraph(dagre, graph) : null), [dagre, shape]);
  const box = useRef<HTMLDivElement>(null);
  const size = () => ({ width: box.current?.clientWidth ?? 600, height: box.current?.clientHeight ?? 360 });
  const home = () => {
    if (!layout) return { x: 0, y: 0, k: 1 };
    const me = layout.nodes.find((n) => n.id === current);
    const fit = fitView(layout.width, layout.height, size());
    // Whole when it can be read whole; else at a readable scale, around this task.
    if (fit.k >= 0.7 || !me) return fit;
    return centreOn(me.x + W / 2, me.y + H / 2, 0.85, size());
  };
  const { ref, view, setView, zoom, touched } = usePanZoom(() => ({ x: 0, y: 0, k: 1 }), layout !== null);
  useLayoutEffect(() => {
    touched.current = false;
    setView(home());
  }, [layout]);
  // A resize (a phone turned, a window narrowed) re-places a view nobody has moved yet.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      if (!touched.current) setView(home());
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [layout]);
  if (graph.nodes.length === 1) return <p class="muted">No dependencies in either direction.</p>;
  if (!layout) return <p class="muted">Laying out {graph.nodes.length} tasks…</p>;
  return (
    <div class="graph-wrap" data-nodes={graph.nodes.length}>
      <div class="graph-tools" role="toolbar" aria-label="graph view">
        <button type="button" class="small" onClick={() => zoom(1.25)} aria-label="zoom in">
          +
        </button>
        <button type="button" class="small" onClick={() => zoom(0.8)} aria-label="zoom out">
          −
        </button>
        <button
          type="button"
          class="small"
          onClick={() => {
            touched.current = true;
            setView(fitView(layout.width, layout.height, size()));
          }}
        >
          Fit
        </button>
        <button
          type="button"
          class="small"
          onClick={() => {
            touched.current = false;
            setView(home());
          }}
        >
          This task
        </button>
        <span class="muted small">
          {graph.nodes.length} tasks · {Math.round(view.k * 100)}% · drag to pan, wheel to zoom
        </span>
      </div>
      <div
        class="graph-box"
        ref={box}
        style={{ height: `min(var(--graph-max), ${Math.max(120, Math.ceil(layout.height) + 24)}px)` }}
      >
        <svg ref={ref} class="graph" role="img" aria-label={`dependency graph of task ${current}`}>
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" class="graph-arrow" />
            </marker>
          </defs>
          <g transform={`translate(${view.x} ${view.y}) scale(${view.k})`}>
            {layout.edges.map((e) => (
              <path key={`${e.from}-${e.to}`} d={path(e.points)} class="graph-edge" marker-end="url(#arrow)" />
            ))}
            {layout.nodes.map((n) => (
              <a key={n.id} href={`#/tasks/${n.id}`} aria-label={`task ${n.id}: ${n.title}, ${n.status}`} data-node={n.id}>
                <rect
                  x={n.x}
                  y={n.y}
                  width={W}
                  height={H}
                  rx="6"
                  class={`node node-${n.status}${n.id === current ? ' node-current' : ''}`}
                />
                <text x={n.x + 8} y={n.y + 15} class="node-id">
                  #{n.id} · {n.status}
                </text>
                <text x={n.x + 8} y={n.y + 30} class="node-title">
                  {n.title.length > 24 ? `${n.title.slice(0, 23)}…` : n.title}
                </text>
              </a>
            ))}
          </g>
        </svg>
      </div>
    </div>
  );
}
