'use client';

import { useId } from 'react';
import styles from './charts.module.css';
import { formatNumber, latest, linePath, niceCeiling, seriesMax } from './scale';

export interface LineSeries {
  name: string;
  /** One per timestamp; null where there is no value (a gap in the line). */
  values: readonly (number | null)[];
}

interface LineChartProps {
  title: string;
  /** Appended to values: " req/s", " %", " ms". */
  unit: string;
  timestamps: readonly number[];
  series: readonly LineSeries[];
  /** Fixed top of the y axis (100 for percentages); default the data's maximum, rounded up. */
  yMax?: number;
  testId?: string;
}

const WIDTH = 320;
const HEIGHT = 120;
const LEFT = 38;
const BOTTOM = 16;
const SERIES_CLASSES = [styles.s0, styles.s1, styles.s2, styles.s3, styles.s4, styles.s5];
/** The data table under the chart shows the newest rows. */
const TABLE_ROWS = 10;

export function seriesClass(index: number): string {
  return SERIES_CLASSES[index % SERIES_CLASSES.length] ?? '';
}

function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * A small line chart in SVG: one line per series over time, y from 0. For screen readers the
 * SVG is one image whose label says each series' latest value, and the numbers are in a table.
 */
export function LineChart({ title, unit, timestamps, series, yMax, testId }: LineChartProps) {
  const id = useId();
  const start = timestamps[0] ?? 0;
  const end = timestamps[timestamps.length - 1] ?? start;
  const top = yMax ?? niceCeiling(seriesMax(series.map((s) => s.values)));
  const plot = { width: WIDTH - LEFT, height: HEIGHT - BOTTOM, start, end, yMax: top };
  const summary = series
    .map((s) => {
      const value = latest(s.values);
      return `${s.name}: ${value === null ? 'no data' : `${formatNumber(value)}${unit}`}`;
    })
    .join('; ');
  const rows = timestamps.map((t, i) => ({ t, i })).slice(-TABLE_ROWS);
  return (
    <figure className={styles.chart} aria-labelledby={`${id}-title`} data-testid={testId}>
      <figcaption id={`${id}-title`}>
        <span>{title}</span>
      </figcaption>
      <svg
        className={styles.svg}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${title}, latest values: ${summary || 'no series'}`}
      >
        <g transform={`translate(${LEFT},0)`}>
          {[0, 0.5, 1].map((f) => (
            <g key={f}>
              <line
                className={styles.axis}
                x1={0}
                x2={plot.width}
                y1={plot.height * (1 - f)}
                y2={plot.height * (1 - f)}
                opacity={f === 0 ? 1 : 0.5}
              />
              <text className={styles.tick} x={-4} y={plot.height * (1 - f) + 3} textAnchor="end">
                {formatNumber(top * f)}
              </text>
            </g>
          ))}
          {timestamps.length > 0 ? (
            <>
              <text className={styles.tick} x={0} y={HEIGHT - 3} textAnchor="start">
                {clock(start)}
              </text>
              <text className={styles.tick} x={plot.width} y={HEIGHT - 3} textAnchor="end">
                {clock(end)}
              </text>
            </>
          ) : null}
          {series.map((s, index) => (
            <path
              key={s.name}
              className={`${styles.line} ${seriesClass(index)}`}
              d={linePath(timestamps, s.values, plot)}
              data-series={s.name}
            />
          ))}
        </g>
      </svg>
      <ul className={styles.legend} aria-label={`${title} legend`}>
        {series.map((s, index) => {
          const value = latest(s.values);
          return (
            <li key={s.name}>
              <span className={`${styles.swatch} ${seriesClass(index)}`} aria-hidden="true" />
              {s.name} {value === null ? '—' : `${formatNumber(value)}${unit}`}
            </li>
          );
        })}
      </ul>
      <details className={styles.data}>
        <summary>Data</summary>
        <table aria-label={`${title} data`}>
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
            {rows.map(({ t, i }) => (
              <tr key={t}>
                <td>{new Date(t).toLocaleTimeString()}</td>
                {series.map((s) => {
                  const v = s.values[i];
                  return <td key={s.name}>{v === null || v === undefined ? '—' : `${formatNumber(v)}${unit}`}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
