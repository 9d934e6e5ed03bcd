import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  /** A CSS colour or `var(--name)`, read when the chart is drawn (so dark mode applies). */
  color: string;
  values: (number | null)[];
  /** Draw as bars instead of a line. */
  bars?: boolean;
  /** Step line (a value holds until the next point), for counts that jump. */
  stepped?: boolean;
  /** The unit of its axis; series with another unit than the first get a right-hand axis. */
  unit?: string;
  /** What the legend shows while the pointer is not over the chart ("total 42"). */
  summary: string;
  /** A value as the legend shows it under the pointer. */
  format?: (v: number) => string;
}

/** The colour a CSS variable holds now, for canvas drawing (which cannot read variables). */
export function cssColor(color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  if (!m) return color;
  return (
    getComputedStyle(document.documentElement)
      .getPropertyValue(m[1] as string)
      .trim() || '#888'
  );
}

/** Re-renders when the system switches between light and dark. */
function useColorScheme(): boolean {
  const [dark, setDark] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches);
  useEffect(() => {
    const q = matchMedia('(prefers-color-scheme: dark)');
    const on = () => setDark(q.matches);
    q.addEventListener('change', on);
    return () => q.removeEventListener('change', on);
  }, []);
  return dark;
}

const shown = (s: Series, v: number | null | undefined) =>
  v === null || v === undefined ? '—' : s.format ? s.format(v) : `${Math.round(v * 10) / 10}${s.unit ? ` ${s.unit}` : ''}`;

/**
 * A time-series chart (uPlot); x values are epoch seconds. Its legend lists each series with its
 * value: the one under the pointer, else the series' summary. A table copy serves screen readers.
 */
export function TimeChart(props: { title: string; x: number[]; series: Series[]; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [idx, setIdx] = useState<number | null>(null);
  const dark = useColorScheme();
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ink = cssColor('var(--muted)');
    const grid = cssColor('var(--line)');
    // Several bar series share a bucket side by side, not drawn over one another.
    const barSeries = props.series.filter((s) => s.bars);
    const barsFor = (s: Series) => {
      const n = barSeries.length;
      const i = barSeries.indexOf(s);
      return uPlot.paths.bars?.({ size: [0.8 / Math.max(1, n), 40], align: n > 1 ? (i === 0 ? -1 : 1) : 0 });
    };
    const steps = uPlot.paths.stepped?.({ align: 1 });
    const units = [...new Set(props.series.map((s) => s.unit ?? ''))];
    const opts: uPlot.Options = {
      width: Math.max(260, el.clientWidth),
      height: props.height ?? 200,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // Every measure here is a count, a time or a share: the axis starts at zero.
      scales: {
        x: { time: true },
        ...Object.fromEntries(
          units.map((u) => [
            u || 'y',
            { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.1 : 1] },
          ]),
        ),
      },
      axes: [
        { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        ...units.map((u, i) => ({
          scale: u || 'y',
          stroke: ink,
          label: u,
          size: 52,
          side: i === 0 ? 3 : 1,
          grid: { show: i === 0, stroke: grid, width: 1 },
          ticks: { stroke: grid },
        })),
      ],
      series: [
        {},
        ...props.series.map((s) => {
          const color = cssColor(s.color);
          return {
            label: s.label,
            scale: s.unit || 'y',
            stroke: color,
            width: 2,
            points: { show: !s.bars && props.x.length < 60, size: 5 },
            // Stepped lines (a burndown) cross each other: filled, the last would hide the first.
            fill: s.bars ? `${color}cc` : s.stepped ? undefined : `${color}22`,
            ...(s.bars ? { paths: barsFor(s), points: { show: false } } : {}),
            ...(s.stepped && steps ? { paths: steps } : {}),
          };
        }),
      ],
      hooks: { setCursor: [(u: uPlot) => setIdx(u.cursor.idx ?? null)] },
    };
    // A bar of 0 would draw a flat stroke along the axis; none is drawn (the legend still says 0).
    const values = props.series.map((s) => (s.bars ? s.values.map((v) => (v === 0 ? null : v)) : s.values));
    const plot = new uPlot(opts, [props.x, ...values] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(260, el.clientWidth), height: props.height ?? 200 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [props.x, props.series, dark]);
  const at = idx !== null ? props.x[idx] : undefined;
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="chart-box" aria-hidden="true" />
      <ul class="legend" aria-label={`${props.title}: legend`}>
        {at !== undefined ? <li class="legend-at muted small">{new Date(at * 1000).toLocaleString()}</li> : null}
        {props.series.map((s) => (
          <li key={s.label} class="legend-item">
            <span class="swatch" style={{ background: s.color }} aria-hidden="true" />
            <span class="legend-label">{s.label}</span>{' '}
            <strong class="legend-value">{idx !== null ? shown(s, s.values[idx]) : s.summary}</strong>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** Horizontal bars for categories (capability, tag, worker); plain HTML, so it reads well without sight. */
export function BarList(props: {
  title: string;
  rows: { label: string; value: number; text: string; bad?: number }[];
  max?: number;
  testId?: string;
}) {
  const max = props.max ?? Math.max(1, ...props.rows.map((r) => r.value + (r.bad ?? 0)));
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      {props.rows.length ? (
        <dl class="barlist">
          {props.rows.map((r) => (
            <div key={r.label} class="bar-row">
              <dt title={r.label}>{r.label}</dt>
              <dd>
                <span class="bar-track">
                  <span class="bar" style={{ width: `${Math.max(1, (r.value / max) * 100)}%` }} />
                  {r.bad ? <span class="bar bar-bad" style={{ width: `${Math.max(1, (r.bad / max) * 100)}%` }} /> : null}
                </span>
                <span class="bar-text">{r.text}</span>
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <p class="muted">Nothing finished in this range.</p>
      )}
    </figure>
  );
}
