/**
 * Who writes to the store. In Kubernetes mode each writer applies as its own server-side-apply
 * field manager, so a conflict names the component that owns a field and
 * `kubectl get -o yaml --show-managed-fields` tells who set what. The SQLite store records the
 * author in history and has no field owners, so it takes no notice of the writer.
 */
export const STORE_WRITERS = {
  /** A user's change through the BFF: the console, the CLI, the API. */
  console: 'ambit-console',
  rolloutController: 'ambit-rollout-controller',
  waypointController: 'ambit-waypoint-controller',
} as const;

/** The field manager of a write that names no writer (a script, a test). */
export const DEFAULT_WRITER = 'ambit';
