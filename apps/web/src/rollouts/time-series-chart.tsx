'use client';

import { useId } from 'react';
import chartStyles from '../components/charts/charts.module.css';
import { formatNumber, latest, linePath, niceCeiling, type Plot, seriesMax } from '../components/charts/scale';
import styles from './rollouts.module.css';

export interface ChartSeries {
  name: string;
  /** ms since the epoch, aligned with values. */
  timestamps: readonly number[];
  /** null where there was no data: the line breaks there instead of inventing a value. */
  values: readonly (number | null)[];
}

export interface ThresholdLine {
  /** "min 99%": shown on the line and said in the chart's accessible description. */
  label: string;
  value: number;
}

interface TimeSeriesChartProps {
  title: string;
  series: readonly ChartSeries[];
  thresholds?: readonly ThresholdLine[];
  /** Appended to values: "%", " ms", " rps". */
  unit: string;
  /** A fixed top of the y axis (100 for percentages); else a round number above the data and thresholds. */
  yMax?: number;
  testId?: string;
}

const WIDTH = 560;
const HEIGHT = 190;
const MARGIN = { top: 12, right: 14, bottom: 22, left: 48 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
// The console's chart colours (components/charts), plus a dash pattern each so lines differ without colour too.
const SERIES_CLASSES = [
  chartStyles.s0,
  `${chartStyles.s1} ${styles.dashed}`,
  `${chartStyles.s2} ${styles.dotted}`,
  chartStyles.s3,
  `${chartStyles.s4} ${styles.dashed}`,
  `${chartStyles.s5} ${styles.dotted}`,
];
/** The accessible data table shows the newest rows; the chart shows them all. */
const TABLE_ROWS = 12;

export function seriesClass(index: number): string {
  return SERIES_CLASSES[index % SERIES_CLASSES.length] ?? '';
}

function formatValue(value: number | null, unit: string): string {
  return value === null ? 'no data' : `${formatNumber(value)}${unit}`;
}

function clock(t: number): string {
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * A small line chart: one line per series (colour and dash pattern both differ, so it reads without colour),
 * dashed threshold lines, a legend with each series' latest value, and the numbers as a table for screen readers.
 */
export function TimeSeriesChart({ title, series, thresholds = [], unit, yMax, testId }: TimeSeriesChartProps) {
  const titleId = useId();
  const descId = useId();
  const times = series.flatMap((s) => s.timestamps);
  const hasData = series.some((s) => latest(s.values) !== null);
  const top = yMax ?? niceCeiling(Math.max(seriesMax(series.map((s) => s.values)), ...thresholds.map((l) => l.value)));
  const start = times.length > 0 ? Math.min(...times) : 0;
  const end = times.length > 0 ? Math.max(...times) : 1;
  const plot: Plot = { width: PLOT_WIDTH, height: PLOT_HEIGHT, start, end, yMax: top };
  const y = (value: number) => PLOT_HEIGHT - (Math.min(value, top) / top) * PLOT_HEIGHT;
  const x = (time: number) => ((time - start) / (end - start || 1)) * PLOT_WIDTH;
  const yTicks = [0, top / 2, top];
  const xTicks = times.length > 1 ? [start, end] : times.slice(0, 1);
  const newest = series.map((s) => ({ name: s.name, value: latest(s.values) }));
  const description = [
    hasData ? newest.map((l) => `${l.name} ${formatValue(l.value, unit)}`).join(', ') : 'no data yet',
    ...thresholds.map((l) => `threshold ${l.label}`),
  ].join('; ');
  const rowTimes = [...new Set(times)].sort((a, b) => a - b).slice(-TABLE_ROWS);
  const valueAt = (s: ChartSeries, t: number) => {
    const index = s.timestamps.indexOf(t);
    return index < 0 ? null : (s.values[index] ?? null);
  };

  return (
    <figure className={`${chartStyles.chart} ${styles.chart}`} data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg className={chartStyles.svg} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId} aria-describedby={descId}>
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          {yTicks.map((tick) => (
            <g key={`y${tick}`}>
              <line className={chartStyles.axis} x1={0} x2={PLOT_WIDTH} y1={y(tick)} y2={y(tick)} />
              <text className={chartStyles.tick} x={-6} y={y(tick) + 3} textAnchor="end">
                {formatValue(tick, unit)}
              </text>
            </g>
          ))}
          {xTicks.map((tick, i) => (
            <text
              key={`x${tick}`}
              className={chartStyles.tick}
              x={x(tick)}
              y={PLOT_HEIGHT + 16}
              textAnchor={xTicks.length === 1 ? 'start' : i === 0 ? 'start' : 'end'}
            >
              {clock(tick)}
            </text>
          ))}
          {thresholds.map((line) => (
            <g key={line.label}>
              <line className={styles.threshold} x1={0} x2={PLOT_WIDTH} y1={y(line.value)} y2={y(line.value)} />
              <text className={styles.thresholdLabel} x={PLOT_WIDTH} y={y(line.value) - 4} textAnchor="end">
                {line.label}
              </text>
            </g>
          ))}
          {series.map((s, i) => (
            <path
              key={s.name}
              className={`${chartStyles.line} ${seriesClass(i)}`}
              d={linePath(s.timestamps, s.values, plot)}
              data-series={s.name}
            />
          ))}
          {hasData ? null : (
            <text className={chartStyles.tick} x={PLOT_WIDTH / 2} y={PLOT_HEIGHT / 2} textAnchor="middle">
              No data yet
            </text>
          )}
        </g>
      </svg>
      <ul className={chartStyles.legend} aria-label={`${title}: latest values`}>
        {newest.map((l, i) => (
          <li key={l.name} data-series={l.name}>
            <span className={`${chartStyles.swatch} ${seriesClass(i)}`} aria-hidden="true" />
            {l.name}: {formatValue(l.value, unit)}
          </li>
        ))}
      </ul>
      {hasData ? (
        <details className={chartStyles.data}>
          <summary>Data</summary>
          <table>
            <caption className="muted">
              {title}, newest {rowTimes.length} samples
            </caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                {series.map((s) => (
                  <th scope="col" key={s.name}>
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rowTimes.map((t) => (
                <tr key={t}>
                  <td>{clock(t)}</td>
                  {series.map((s) => (
                    <td key={s.name}>{formatValue(valueAt(s, t), unit)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </figure>
  );
}
