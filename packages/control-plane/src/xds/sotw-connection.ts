// State-of-the-world ADS (StreamAggregatedResources), as Envoy and @grpc/grpc-js-xds speak it.
//
// Per type the proxy names what it wants (an empty first request is a wildcard for LDS/CDS; `*`
// is always one). Every request carries the nonce of the latest response it saw: with that nonce
// and no error_detail it is an ACK, with error_detail a NACK (the proxy stays on its last accepted
// version and the same content is not sent again); an older nonce is stale and the request is
// ignored, as the protocol prescribes. LDS/CDS responses and wildcard subscriptions carry every
// subscribed resource; RDS/EDS responses carry only the resources that changed.

import { allowsImplicitWildcard, type DiscoveryRequest, encodeDiscoveryResponse, requiresFullStateInSotw } from '@ambit/shared/xds';
import { AdsConnection, type TypeState } from './ads-connection';
import type { Any } from './resource-source';

export class SotwConnection extends AdsConnection {
  handleRequest(request: DiscoveryRequest): void {
    const typeUrl = request.typeUrl;
    if (!typeUrl) return;
    const state = this.typeState(typeUrl);
    const nonce = request.responseNonce;
    if (nonce !== '' && state.lastSent) {
      if (nonce !== state.lastSent.nonce) return;
      this.resolve(state, nonce, request.errorDetail);
    }
    const changed = this.updateSubscription(state, request.resourceNames);
    if (nonce === '' || changed || !state.requested) {
      state.requested = true;
      state.mustRespond = true;
      this.markDirty(typeUrl);
    }
    this.flush();
  }

  protected buildResponse(state: TypeState, trigger: number | undefined): Buffer | undefined {
    const view = this.host.view(this, state.typeUrl);
    if (!view) return undefined;
    const resources: Any[] = [];
    if (requiresFullStateInSotw(state.typeUrl) || state.wildcard) {
      let count = 0;
      let changed = false;
      for (const [name, entry] of view) {
        if (!state.subscribes(name)) continue;
        count++;
        if (state.known.get(name) !== entry.version) changed = true;
      }
      // known holds only subscribed names, so a different count means something was deleted.
      if (!changed && count === state.known.size && !state.mustRespond) return undefined;
      state.known.clear();
      state.sent.clear();
      for (const [name, entry] of view) {
        if (!state.subscribes(name)) continue;
        resources.push(entry.resource);
        state.remember(name, entry);
      }
    } else {
      for (const name of state.names) {
        const entry = view.get(name);
        if (!entry) {
          state.forget(name);
          continue;
        }
        if (state.known.get(name) === entry.version) continue;
        resources.push(entry.resource);
        state.remember(name, entry);
      }
      if (resources.length === 0 && !state.mustRespond) return undefined;
    }
    state.mustRespond = false;
    const version = this.host.versionInfo();
    const nonce = this.host.nextNonce();
    const frame = encodeDiscoveryResponse({
      versionInfo: version,
      resources,
      typeUrl: state.typeUrl,
      nonce,
      controlPlane: { identifier: this.host.controlPlaneId },
    });
    this.recordSent(state, { nonce, version, sentAt: Date.now(), trigger }, true);
    return frame;
  }

  /** Applies the names of a request; returns whether the subscription changed. */
  private updateSubscription(state: TypeState, requested: readonly string[]): boolean {
    const wildcard =
      requested.includes('*') || (requested.length === 0 && allowsImplicitWildcard(state.typeUrl) && (!state.requested || state.wildcard));
    let changed = wildcard !== state.wildcard;
    const explicit = requested.filter((name) => name !== '*');
    if (explicit.length !== state.names.size || explicit.some((name) => !state.names.has(name))) {
      changed = true;
      state.names.clear();
      for (const name of explicit) state.names.add(name);
    }
    state.wildcard = wildcard;
    if (changed) state.pruneKnown();
    return changed;
  }
}
