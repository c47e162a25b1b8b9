// GRPCRoute semantics at a running waypoint, through real gRPC calls: client → ztunnel → waypoint →
// ztunnel → greeter-v1 / greeter-v2, with route tables built by the shared compiler. Without a
// GRPCRoute every call meets greeter-v1 (the Service greeter's only endpoint).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GREETER_PORT, type GrpcReply, greeterBackend, grpcRoute, startWaypointMesh, type WaypointMesh } from './fixtures/waypoint-mesh';

let mesh: WaypointMesh;
beforeAll(async () => {
  mesh = await startWaypointMesh({ net: 46 });
});
afterAll(() => mesh?.stop());
afterEach(() => {
  mesh.config.removeRouteTable(`greeter.shop.svc.cluster.local:${GREETER_PORT}`);
});

/** Who answered a call: the greeter version, or `grpc-status <code>` when none did. */
function answeredBy(reply: GrpcReply): string {
  return reply.version ?? `grpc-status ${reply.grpcStatus}`;
}

describe('GRPCRoute at the waypoint', () => {
  it('sends an exact service+method match to v2 and the rest of the service to v1', async () => {
    const table = mesh.setGrpcRoutes([
      grpcRoute('greeter', {
        rules: [
          { matches: [{ method: { service: 'test.Greeter' } }], backendRefs: [greeterBackend('greeter-v1')] },
          { matches: [{ method: { service: 'test.Greeter', method: 'Say' } }], backendRefs: [greeterBackend('greeter-v2')] },
        ],
      }),
    ]);
    expect(table.notes.filter((n) => n.level === 'error')).toEqual([]);
    const say = await mesh.grpc('Say', 'ambit');
    expect(say).toEqual({ status: 200, grpcStatus: '0', message: 'hello ambit', version: 'v2' });
    // Fail matches only the service-wide rule: v1 answers it (NOT_FOUND is the greeter's own answer).
    const fail = await mesh.grpc('Fail', 'ambit');
    expect({ version: fail.version, grpcStatus: fail.grpcStatus }).toEqual({ version: 'v1', grpcStatus: '5' });
  });

  it('chooses a version by a header match on gRPC metadata', async () => {
    mesh.setGrpcRoutes([
      grpcRoute('canary', {
        rules: [
          { backendRefs: [greeterBackend('greeter-v1')] },
          { matches: [{ headers: [{ name: 'X-Canary', value: 'yes' }] }], backendRefs: [greeterBackend('greeter-v2')] },
        ],
      }),
    ]);
    expect(answeredBy(await mesh.grpc('Say', 'a', { 'x-canary': 'yes' }))).toBe('v2');
    expect(answeredBy(await mesh.grpc('Say', 'b', { 'x-canary': 'no' }))).toBe('v1');
    expect(answeredBy(await mesh.grpc('Say', 'c'))).toBe('v1');
  });

  it('splits 80/20 by weight: over 50 calls v2 answers 10 ± 2 (the shared WeightedSequence bound)', async () => {
    mesh.setGrpcRoutes([
      grpcRoute('split', { rules: [{ backendRefs: [greeterBackend('greeter-v1', 80), greeterBackend('greeter-v2', 20)] }] }),
    ]);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      const who = answeredBy(await mesh.grpc('Say', `call ${i}`));
      counts[who] = (counts[who] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['v1', 'v2']);
    expect(Math.abs((counts.v2 ?? 0) - 10)).toBeLessThanOrEqual(2);
  });

  it('answers gRPC UNAVAILABLE (14, trailers-only) when every backendRef of the rule is invalid', async () => {
    mesh.setGrpcRoutes([grpcRoute('gone', { rules: [{ backendRefs: [greeterBackend('greeter-gone'), greeterBackend('greeter-old')] }] })]);
    const reply = await mesh.grpc('Say', 'ambit');
    // Trailers-only: grpc-status arrives with the 200 response head, no message, no greeter answered.
    expect(reply).toEqual({ status: 200, grpcStatus: '14', message: '', version: undefined });
  });

  it("answers an invalid backendRef's share with gRPC UNAVAILABLE (14), not UNKNOWN, and the valid share normally", async () => {
    mesh.setGrpcRoutes([
      grpcRoute('half-gone', { rules: [{ backendRefs: [greeterBackend('greeter-v2', 50), greeterBackend('greeter-gone', 50)] }] }),
    ]);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      const who = answeredBy(await mesh.grpc('Say', `call ${i}`));
      counts[who] = (counts[who] ?? 0) + 1;
    }
    expect(counts).toEqual({ v2: expect.any(Number), 'grpc-status 14': expect.any(Number) });
    expect(Math.abs((counts.v2 ?? 0) - 10)).toBeLessThanOrEqual(2);
  });
});
