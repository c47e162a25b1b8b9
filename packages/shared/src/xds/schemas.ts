// Where the protobuf schemas the xDS server speaks come from: Envoy's (shipped in
// @grpc/grpc-js-xds) and Istio's workload API plus Ambit's own Node and WaypointPolicy (our own files in packages/shared/proto).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

/** packages/control-plane/proto */
export const AMBIT_PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url));

/** Include folders for Envoy's protos: envoy-api, xds, googleapis, protoc-gen-validate, and protobufjs' google/protobuf. */
export function envoyIncludeDirs(): string[] {
  const deps = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  const protobufjsDir = path.dirname(require.resolve('protobufjs/package.json'));
  return [
    path.join(deps, 'envoy-api'),
    path.join(deps, 'xds'),
    path.join(deps, 'googleapis'),
    path.join(deps, 'protoc-gen-validate'),
    protobufjsDir,
  ];
}

/** Loads .proto files into a fresh root, resolving imports against `includeDirs` in order. */
export function loadProtoRoot(files: readonly string[], includeDirs: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of includeDirs) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    // protobufjs serves google/protobuf/{any,empty,struct,...}.proto from memory when asked by bare name.
    return target;
  };
  root.loadSync([...files], { keepCase: false });
  root.resolveAll();
  return root;
}

/** The Envoy files the server and its translators need: ADS plus the four resource types and their usual extensions. */
export const ENVOY_PROTO_FILES: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality.proto',
  'envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
];

/** The discovery messages alone (DiscoveryRequest/Response and their delta forms, with envoy.config.core.v3.Node). */
export const DISCOVERY_PROTO_FILES: readonly string[] = ['envoy/service/discovery/v3/discovery.proto'];

let envoyRoot: protobuf.Root | undefined;

/** Envoy's schemas, loaded once (≈ 150 ms) on first use. */
export function envoySchemas(): protobuf.Root {
  envoyRoot ??= loadProtoRoot(ENVOY_PROTO_FILES, envoyIncludeDirs());
  return envoyRoot;
}

let discoveryRoot: protobuf.Root | undefined;

/**
 * The discovery messages an xDS client encodes and decodes. A ztunnel never needs Envoy's
 * Listener/Route/Cluster set (~15 MiB of a ztunnel's RSS), so this loads only discovery.proto and
 * what it imports, unless the full set is already loaded (it contains these messages).
 */
export function discoverySchemas(): protobuf.Root {
  if (envoyRoot) return envoyRoot;
  discoveryRoot ??= loadProtoRoot(DISCOVERY_PROTO_FILES, envoyIncludeDirs());
  return discoveryRoot;
}

let workloadRoot: protobuf.Root | undefined;

/** Istio's workload API (`istio.workload.*`), L4 authorization (`istio.security.*`) and Ambit's own resources (`ambit.mesh.v1.*`). */
export function workloadApiSchemas(): protobuf.Root {
  workloadRoot ??= loadProtoRoot(
    [
      'istio/workload/workload.proto',
      'istio/security/authorization.proto',
      'ambit/mesh/v1/node.proto',
      'ambit/mesh/v1/waypoint_policy.proto',
    ],
    [AMBIT_PROTO_DIR],
  );
  return workloadRoot;
}
