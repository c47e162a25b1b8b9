/**
 * The wire formats both sides of xDS speak: Ambit's own protos (Istio's workload API,
 * authorization, CA, and Ambit's own Node and WaypointPolicy resources) and Envoy's (shipped in
 * @grpc/grpc-js-xds), their codecs, type URLs, Any and Struct, and how Ambit names and annotates
 * Envoy resources. The control plane's server and the proxies' clients both use these; neither has a copy.
 */
export * from './any';
export * from './client-messages';
export * from './discovery-messages';
export * from './envoy-names';
export * from './envoy-resources';
export * from './mesh-node';
export * from './route-metadata';
export * from './schemas';
export * from './struct';
export * from './type-urls';
export * from './waypoint-policy';
export * from './workload-api';
