import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
  /** Draw as bars instead of a line. */
  bars?: boolean;
}

/** A time-series chart (uPlot); x values are epoch seconds. A table copy is given for screen readers. */
export function TimeChart(props: { title: string; x: number[]; series: Series[]; unit: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: props.height ?? 200,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{ stroke: '#3b4350' }, { stroke: '#3b4350', label: props.unit, size: 50 }],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          points: { show: !s.bars, size: 6 },
          fill: s.bars ? `${s.color}cc` : `${s.color}22`,
          ...(s.bars && bars ? { paths: bars, points: { show: false } } : {}),
        })),
      ],
    };
    const plot = new uPlot(opts, [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: props.height ?? 200 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [props.x, props.series]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="chart-box" aria-hidden="true" />
    </figure>
  );
}

/** Horizontal bars for categories (complexity, worker); plain HTML, so it reads well without sight. */
export function BarList(props: { title: string; rows: { label: string; value: number; text: string }[]; max?: number }) {
  const max = props.max ?? Math.max(1, ...props.rows.map((r) => r.value));
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      {props.rows.length ? (
        <dl class="barlist">
          {props.rows.map((r) => (
            <div key={r.label} class="bar-row">
              <dt>{r.label}</dt>
              <dd>
                <span class="bar" style={{ width: `${Math.max(1, (r.value / max) * 100)}%` }} />
                <span class="bar-text">{r.text}</span>
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <p class="muted">No data yet.</p>
      )}
    </figure>
  );
}
