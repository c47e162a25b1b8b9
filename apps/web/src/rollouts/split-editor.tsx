'use client';

import styles from './rollouts.module.css';
import { moveSlider } from './split-weights';

export interface SplitBackend {
  /** The backendRef's Service name: the key of the row. */
  name: string;
  /** What a user calls it: "reviews-v2 (v2)". */
  label: string;
  /** Share in the stored route, percent. */
  current: number;
  /** Share of the requests measured over the last window, percent; null without traffic data. */
  measured: number | null;
  requestsPerSecond: number | null;
  /** Percent of non-5xx responses; null without data. */
  successRate: number | null;
  p99Ms: number | null;
}

interface SplitEditorProps {
  backends: readonly SplitBackend[];
  weights: readonly number[];
  onChange: (weights: number[]) => void;
  /** Viewers see the split and the measurements, without controls. */
  editable: boolean;
}

function percent(value: number | null, digits = 1): string {
  return value === null ? '—' : `${value.toFixed(digits)}%`;
}

/** One slider and number box per backend; moving one rebalances the others so the total stays 100. */
export function SplitEditor({ backends, weights, onChange, editable }: SplitEditorProps) {
  const total = weights.reduce((a, b) => a + b, 0);
  return (
    <div className={styles.split}>
      {backends.map((backend, index) => {
        const weight = weights[index] ?? 0;
        const id = `weight-${backend.name}`;
        return (
          <div className={styles.splitRow} key={backend.name} data-testid={`split-${backend.name}`}>
            <label htmlFor={id}>
              <strong>{backend.label}</strong>
              <span className="muted">in the route now: {backend.current}%</span>
            </label>
            <input
              id={id}
              type="range"
              min={0}
              max={100}
              step={1}
              value={weight}
              disabled={!editable}
              aria-valuetext={`${weight} percent`}
              onChange={(e) => onChange(moveSlider(weights, index, Number(e.target.value)))}
            />
            <input
              type="number"
              min={0}
              max={100}
              step={1}
              value={weight}
              disabled={!editable}
              aria-label={`Weight of ${backend.label}, percent`}
              onChange={(e) => onChange(moveSlider(weights, index, Number(e.target.value)))}
            />
            <div className={styles.bars}>
              <span>
                measured <strong data-testid="measured-share">{percent(backend.measured)}</strong>
                {backend.requestsPerSecond === null ? null : ` · ${backend.requestsPerSecond.toFixed(1)} rps`}
                {' · '}ok {percent(backend.successRate)} · p99 {backend.p99Ms === null ? '—' : `${Math.round(backend.p99Ms)} ms`}
              </span>
              <div className={styles.barTrack} title={`set ${weight}%`} aria-hidden="true">
                <div className={`${styles.bar} ${styles.barSet}`} style={{ width: `${weight}%` }} />
              </div>
              <div className={styles.barTrack} title={`measured ${percent(backend.measured)}`} aria-hidden="true">
                <div className={`${styles.bar} ${styles.barMeasured}`} style={{ width: `${backend.measured ?? 0}%` }} />
              </div>
            </div>
          </div>
        );
      })}
      <p className={styles.total} role="status" data-testid="split-total">
        Total {total}%
      </p>
    </div>
  );
}
