// Incremental ADS (DeltaAggregatedResources), as ztunnel speaks it for the workload API.
//
// The first request of a type may list initial_resource_versions (what the proxy kept from a
// previous stream): those are not resent at the same version, and the ones that no longer exist
// come back as removed_resources. Subscriptions change by resource_names_subscribe / _unsubscribe;
// `*`, or an empty first subscription, is a wildcard. Each response has its own nonce and is ACKed
// or NACKed on its own; responses carry only resources whose version changed, plus removals.

import { allowsImplicitWildcard, type DeltaDiscoveryRequest, type DeltaResource, encodeDeltaDiscoveryResponse } from '@ambit/shared/xds';
import { AdsConnection, type TypeState } from './ads-connection';

export class DeltaConnection extends AdsConnection {
  handleRequest(request: DeltaDiscoveryRequest): void {
    const typeUrl = request.typeUrl;
    if (!typeUrl) return;
    const state = this.typeState(typeUrl);
    if (request.responseNonce !== '') this.resolve(state, request.responseNonce, request.errorDetail);

    let changed = false;
    const initial = !state.requested;
    if (initial) {
      state.requested = true;
      state.mustRespond = true;
      changed = true;
      for (const [name, version] of Object.entries(request.initialResourceVersions ?? {})) state.known.set(name, version);
      if (request.resourceNamesSubscribe.length === 0 && allowsImplicitWildcard(typeUrl)) state.wildcard = true;
    }
    for (const name of request.resourceNamesSubscribe) {
      if (name === '*') {
        changed ||= !state.wildcard;
        state.wildcard = true;
      } else if (!state.names.has(name)) {
        state.names.add(name);
        // Re-subscribing later means the proxy dropped it: send it again.
        if (!initial) state.forget(name);
        changed = true;
      }
    }
    for (const name of request.resourceNamesUnsubscribe) {
      if (name === '*') {
        changed ||= state.wildcard;
        state.wildcard = false;
      } else if (state.names.delete(name)) {
        changed = true;
      }
    }
    if (changed) {
      state.pruneKnown();
      this.markDirty(typeUrl);
    }
    this.flush();
  }

  protected buildResponse(state: TypeState, trigger: number | undefined): Buffer | undefined {
    const view = this.host.view(this, state.typeUrl);
    if (!view) return undefined;
    const resources: DeltaResource[] = [];
    const removed: string[] = [];
    if (state.wildcard) {
      for (const [name, entry] of view) {
        if (state.known.get(name) !== entry.version) resources.push({ name, version: entry.version, resource: entry.resource });
      }
    } else {
      for (const name of state.names) {
        const entry = view.get(name);
        if (entry && state.known.get(name) !== entry.version) resources.push({ name, version: entry.version, resource: entry.resource });
      }
    }
    for (const name of state.known.keys()) if (!view.has(name)) removed.push(name);
    if (resources.length === 0 && removed.length === 0 && !state.mustRespond) return undefined;

    for (const resource of resources) state.remember(resource.name, resource);
    for (const name of removed) state.forget(name);
    state.mustRespond = false;
    const version = this.host.versionInfo();
    const nonce = this.host.nextNonce();
    const frame = encodeDeltaDiscoveryResponse({
      systemVersionInfo: version,
      resources,
      typeUrl: state.typeUrl,
      removedResources: removed,
      nonce,
      controlPlane: { identifier: this.host.controlPlaneId },
    });
    this.recordSent(state, { nonce, version, sentAt: Date.now(), trigger }, false);
    return frame;
  }
}
