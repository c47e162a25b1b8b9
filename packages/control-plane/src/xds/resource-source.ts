// The contract between the xDS transport and whoever computes resources (registry + translators).
import { createHash } from 'node:crypto';
import type { Any } from '@ambit/shared/xds';
import type { ProxyInfo } from './proxy-info';

/** One named resource as the source computed it. `version` changes whenever the content does. */
export interface VersionedResource {
  readonly version: string;
  readonly resource: Any;
}

/**
 * What changed: these types, for all proxies (default) or only the proxies with these node ids.
 * The server debounces changes, then recomputes only the affected views.
 */
export interface ResourceChange {
  readonly typeUrls: ReadonlySet<string>;
  readonly proxies?: 'all' | ReadonlySet<string>;
}

/**
 * Computes what each proxy should see. Injected into the xDS server.
 *
 * - `resources` returns the full view of one type for one proxy, keyed by resource name. The map
 *   must be a snapshot: the server caches it until the next change of that type, so do not mutate
 *   it afterwards. An unknown type returns an empty map. Throwing keeps the proxy on what it has.
 * - `viewKey` (optional) names the view a proxy gets: proxies with the same key for a type get the
 *   same resources, so the server computes them once (e.g. `node:<NODE_NAME>` for ztunnels, or
 *   `all` when every proxy sees the same thing). It must depend only on the proxy and the type: the
 *   server asks once per stream and type. Default: one view per proxy id.
 * - `onChange` registers the listener the server calls after any change; it returns an unsubscribe.
 */
export interface ResourceSource {
  resources(proxy: ProxyInfo, typeUrl: string): ReadonlyMap<string, VersionedResource>;
  viewKey?(proxy: ProxyInfo, typeUrl: string): string;
  onChange(listener: (change: ResourceChange) => void): () => void;
}

/** A version derived from the content, so equal content keeps its version across restarts and reconnects. */
export function contentVersion(resource: Any): string {
  return createHash('sha256').update(resource.typeUrl).update(resource.value).digest('hex').slice(0, 16);
}

export type { Any };
