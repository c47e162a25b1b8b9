'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../api/client';

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
  const changes = useConfigChanges(at !== null, start);
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
            list="replay-changes"
            onChange={(e) => setValue(Number(e.target.value))}
          />
          {/* Configuration changes as tick marks on the scrubber, and as buttons that jump to them. */}
          <datalist id="replay-changes">
            {changes.map((change) => (
              <option key={change.id} value={change.time} label={change.label} />
            ))}
          </datalist>
          <output data-testid="replay-time">{new Date(value).toLocaleTimeString()}</output>
          <button type="button" className="button subtle" onClick={() => onChange(null)}>
            Back to live
          </button>
          {changes.length > 0 ? (
            <ol className="replay-changes" aria-label="Configuration changes in the replayed hour">
              {changes.map((change) => (
                <li key={change.id}>
                  <button
                    type="button"
                    className="button subtle"
                    title={change.label}
                    data-testid="replay-change"
                    onClick={() => {
                      setValue(change.time);
                      onChange(change.time);
                    }}
                  >
                    {new Date(change.time).toLocaleTimeString()} {change.summary}
                  </button>
                </li>
              ))}
            </ol>
          ) : null}
        </>
      ) : null}
    </fieldset>
  );
}

/** Pods and node status written by the embedded mesh's own controllers: not changes a user made or wants marked. */
const BOOKKEEPING_AUTHORS = new Set(['system:embedded-controllers', 'system:embedded-mesh']);
const MAX_MARKERS = 40;

interface ChangeMarker {
  id: string;
  time: number;
  /** `HTTPRoute demo/reviews`. */
  summary: string;
  /** What, who and when, for the tooltip. */
  label: string;
}

/** Changes to the mesh's configuration since `since`, newest last; only while replaying. */
function useConfigChanges(enabled: boolean, since: number): ChangeMarker[] {
  const history = useQuery({
    queryKey: ['history.list', 'replay', since],
    queryFn: () => api.history.list.query({ since: new Date(since).toISOString(), limit: 500 }),
    enabled,
    refetchInterval: 30_000,
  });
  return (history.data?.changes ?? [])
    .filter((change) => !BOOKKEEPING_AUTHORS.has(change.author))
    .slice(0, MAX_MARKERS)
    .map((change) => {
      const { kind, namespace, name } = change.key;
      const summary = `${change.operation} ${kind} ${namespace ? `${namespace}/` : ''}${name}`;
      return { id: `${change.resourceVersion}`, time: Date.parse(change.time), summary, label: `${summary} by ${change.author}` };
    })
    .sort((a, b) => a.time - b.time);
}
