import { describe, expect, it } from 'vitest';
import {
  addressResourceName,
  authorizationResourceName,
  bytesToIp,
  decodeAddress,
  decodeAuthorization,
  encodeAuthorization,
  ipToBytes,
  packAddress,
  packAuthorization,
} from './workload-api';

describe('workload API codec', () => {
  it('converts IPv4 and IPv6 addresses to the raw bytes Istio expects and back', () => {
    expect([...ipToBytes('10.1.2.3')]).toEqual([10, 1, 2, 3]);
    expect(Buffer.from(ipToBytes('fd00::1')).toString('hex')).toBe('fd000000000000000000000000000001');
    expect(Buffer.from(ipToBytes('::ffff:1.2.3.4')).toString('hex')).toBe('00000000000000000000ffff01020304');
    expect(bytesToIp(ipToBytes('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(bytesToIp(ipToBytes('10.1.2.3'))).toBe('10.1.2.3');
    expect(() => ipToBytes('10.1.2')).toThrow(/not an IP/);
  });

  it('round-trips a workload and a service under their resource names', () => {
    const workload = packAddress({
      workload: {
        uid: 'Kubernetes//Pod/default/a',
        name: 'a',
        namespace: 'default',
        addresses: [ipToBytes('10.0.0.1')],
        tunnelProtocol: 'HBONE',
        services: { 'default/a.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080, appProtocol: 'HTTP2' }] } },
        status: 'UNHEALTHY',
      },
    });
    expect(workload.typeUrl).toBe('type.googleapis.com/istio.workload.Address');
    const decoded = decodeAddress(workload.value);
    expect(decoded.workload).toMatchObject({
      uid: 'Kubernetes//Pod/default/a',
      tunnelProtocol: 'HBONE',
      status: 'UNHEALTHY',
      services: { 'default/a.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080, appProtocol: 'HTTP2' }] } },
    });
    expect(addressResourceName(decoded)).toBe('Kubernetes//Pod/default/a');
    expect(addressResourceName({ service: { name: 'a', namespace: 'default', hostname: 'a.default.svc.cluster.local' } })).toBe(
      'default/a.default.svc.cluster.local',
    );
  });

  it('round-trips an authorization policy with every match kind', () => {
    const policy = {
      name: 'deny-all-but',
      namespace: 'prod',
      scope: 'WORKLOAD_SELECTOR' as const,
      action: 'DENY' as const,
      dryRun: true,
      rules: [
        {
          clauses: [
            {
              matches: [
                {
                  principals: [{ presence: {} }],
                  notNamespaces: [{ exact: 'prod' }, { suffix: '-dev' }],
                  sourceIps: [{ address: ipToBytes('10.0.0.0'), length: 8 }],
                  notDestinationPorts: [22],
                  notServiceAccounts: [{ namespace: 'prod', serviceAccount: 'ops' }],
                },
              ],
            },
          ],
        },
      ],
    };
    expect(packAuthorization(policy).typeUrl).toBe('type.googleapis.com/istio.security.Authorization');
    const decoded = decodeAuthorization(encodeAuthorization(policy));
    expect(decoded).toMatchObject({ name: 'deny-all-but', scope: 'WORKLOAD_SELECTOR', action: 'DENY', dryRun: true });
    const match = decoded.rules?.[0]?.clauses[0]?.matches[0];
    expect(match?.principals).toEqual([{ presence: {} }]);
    expect(match?.notNamespaces).toEqual([{ exact: 'prod' }, { suffix: '-dev' }]);
    expect(match?.sourceIps?.[0]?.length).toBe(8);
    expect(match?.notDestinationPorts).toEqual([22]);
    expect(match?.notServiceAccounts).toEqual([{ namespace: 'prod', serviceAccount: 'ops' }]);
    expect(authorizationResourceName(decoded)).toBe('prod/deny-all-but');
  });
});
