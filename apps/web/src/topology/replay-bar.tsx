'use client';

import { useEffect, useState } from 'react';

/** How far back telemetry is kept (the embedded back end's retention), and the scrubber's step. */
export const REPLAY_MS = 3_600_000;
const STEP_MS = 10_000;
/** Dragging the scrubber asks for one graph when it rests, not one per pixel. */
const SETTLE_MS = 250;

/** Replay of the last hour: a scrubber over [now − 1 h, now]; the graph is evaluated at the chosen time. */
export function ReplayBar({ at, onChange }: { at: number | null; onChange: (at: number | null) => void }) {
  // The scrubber's right end: when replay was opened (a replay does not follow the clock).
  const [end, setEnd] = useState(() => Date.now());
  const [value, setValue] = useState(at);
  useEffect(() => setValue(at), [at]);
  useEffect(() => {
    if (value === at || value === null) return;
    const timer = setTimeout(() => onChange(value), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [value, at, onChange]);

  const start = Math.min(end - REPLAY_MS, at ?? end);
  return (
    <fieldset className="replay">
      <legend>Replay</legend>
      <label className="inline">
        <input
          type="checkbox"
          name="replay"
          checked={at !== null}
          onChange={(e) => {
            if (e.target.checked) {
              const now = Date.now();
              setEnd(now);
              onChange(now - 5 * 60_000);
            } else onChange(null);
          }}
        />{' '}
        Replay the last hour
      </label>
      {at !== null && value !== null ? (
        <>
          <input
            type="range"
            aria-label="Replay time"
            min={start}
            max={end}
            step={STEP_MS}
            value={value}
            onChange={(e) => setValue(Number(e.target.value))}
          />
          <output data-testid="replay-time">{new Date(value).toLocaleTimeString()}</output>
          <button type="button" className="button subtle" onClick={() => onChange(null)}>
            Back to live
          </button>
        </>
      ) : null}
    </fieldset>
  );
}
