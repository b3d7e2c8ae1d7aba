// A bar chart drawn on the server as SVG: no client script, so it works under a strict CSP, and the
// same numbers are always given as a table beside it for screen readers.
import type { VNode } from 'preact';

export interface Bar {
  label: string;
  value: number;
}

export function BarChart({
  title,
  bars,
  height = 180,
}: {
  title: string;
  bars: readonly Bar[];
  height?: number;
}): VNode {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const barWidth = 36;
  const gap = 14;
  const top = 18;
  const bottom = 22;
  const width = Math.max(120, bars.length * (barWidth + gap) + gap);
  const plot = height - top - bottom;
  return (
    <svg
      class="chart"
      role="img"
      aria-label={title}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
    >
      <title>{title}</title>
      {bars.map((b, i) => {
        const h = Math.round((b.value / max) * plot);
        const x = gap + i * (barWidth + gap);
        return (
          <g key={b.label}>
            <rect class="bar" x={x} y={top + plot - h} width={barWidth} height={h} />
            <text x={x + barWidth / 2} y={top + plot - h - 4} text-anchor="middle">
              {b.value.toLocaleString('en-US')}
            </text>
            <text x={x + barWidth / 2} y={height - 6} text-anchor="middle">
              {b.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
