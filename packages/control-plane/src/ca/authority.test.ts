import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CertificateAuthority, createCertificateAuthority } from './authority';
import { captureLogger, makeCsr, makeTempDir } from './test-fixtures';

const CART = 'spiffe://cluster.local/ns/shop/sa/cart';
const PAYMENTS = 'spiffe://cluster.local/ns/shop/sa/payments';
const onNode: Record<string, string[]> = { 'node-a': [CART], 'node-b': [PAYMENTS] };

let dir: Awaited<ReturnType<typeof makeTempDir>>;
let log: ReturnType<typeof captureLogger>;
let ca: CertificateAuthority;
let token: string;
let identitiesOnNode: (node: string) => Set<string>;

beforeEach(async () => {
  dir = await makeTempDir();
  log = captureLogger();
  identitiesOnNode = (node) => new Set(onNode[node] ?? []);
  ca = await createCertificateAuthority({
    dataDir: dir.path,
    logger: log.logger,
    identitiesOnNode: (node) => identitiesOnNode(node),
  });
  token = await ca.nodeTokens.issueNodeToken('node-a');
});
afterEach(async () => {
  await dir?.remove();
});

const refusals = () => log.lines().filter((line) => line.msg === 'certificate request refused');

describe('createCertificateAuthority', () => {
  it('issues for a workload on the caller node and logs what it issued', async () => {
    const issued = await ca.createCertificate({ authorization: `Bearer ${token}`, csr: await makeCsr({ uris: [CART] }) });
    expect(issued.identity).toBe(CART);
    expect(issued.chain.at(-1)).toBe(ca.rootCertPem);
    expect(log.lines().find((line) => line.msg === 'certificate issued')).toMatchObject({
      component: 'ca',
      node: 'node-a',
      identity: CART,
      serial: issued.serialNumber,
    });
  });

  it('records what it issued in the ledger (identity, serial, issuer, node, validity), and not what it refused', async () => {
    const issued = await ca.createCertificate({ authorization: `Bearer ${token}`, csr: await makeCsr({ uris: [CART] }) });
    await expect(
      ca.createCertificate({ authorization: `Bearer ${token}`, csr: await makeCsr({ uris: [PAYMENTS] }) }),
    ).rejects.toMatchObject({ code: 'PermissionDenied' });
    expect(ca.issuedCertificates()).toEqual([
      {
        identity: CART,
        serial: issued.serialNumber.toLowerCase(),
        issuer: expect.stringContaining('cluster.local'),
        node: 'node-a',
        notBefore: issued.notBefore.toISOString(),
        notAfter: issued.notAfter.toISOString(),
        issuedAt: expect.any(String),
      },
    ]);
    await ca.flushLedger();
    const restarted = await createCertificateAuthority({ dataDir: dir.path, logger: log.logger, identitiesOnNode: () => new Set() });
    expect(restarted.issuedCertificates().map((r) => r.serial)).toEqual([issued.serialNumber.toLowerCase()]);
  });

  it('logs every refusal with the node, the identity asked for and the reason, never the token', async () => {
    const csr = await makeCsr({ uris: [PAYMENTS] });
    await expect(ca.createCertificate({ authorization: `Bearer ${token}`, csr, peer: 'ipv4:127.0.0.1:5555' })).rejects.toMatchObject({
      code: 'PermissionDenied',
    });
    expect(refusals()).toEqual([
      expect.objectContaining({
        node: 'node-a',
        identity: PAYMENTS,
        peer: 'ipv4:127.0.0.1:5555',
        code: 'PermissionDenied',
        reason: expect.stringMatching(/node node-a may not obtain a certificate for .*payments/),
      }),
    ]);

    await expect(ca.createCertificate({ authorization: `Bearer ${token}x`, csr })).rejects.toMatchObject({ code: 'Unauthenticated' });
    await expect(ca.createCertificate({ authorization: undefined, csr })).rejects.toMatchObject({ code: 'Unauthenticated' });
    expect(refusals()).toHaveLength(3);
    expect(log.text()).not.toContain(token);
  });

  it('refuses an authorization header that is not a bearer token', async () => {
    await expect(ca.createCertificate({ authorization: `Basic ${token}`, csr: await makeCsr({ uris: [CART] }) })).rejects.toMatchObject({
      code: 'Unauthenticated',
      message: expect.stringMatching(/must be "Bearer <node token>"/),
    });
  });

  it('checks ImpersonatedIdentity against the CSR', async () => {
    const csr = await makeCsr({ uris: [CART] });
    const authorization = `Bearer ${token}`;
    await expect(ca.createCertificate({ authorization, csr, metadata: { ImpersonatedIdentity: CART } })).resolves.toMatchObject({
      identity: CART,
    });
    await expect(ca.createCertificate({ authorization, csr, metadata: { ImpersonatedIdentity: PAYMENTS } })).rejects.toMatchObject({
      code: 'PermissionDenied',
    });
    await expect(ca.createCertificate({ authorization, csr, metadata: { ImpersonatedIdentity: 7 } })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
  });

  it('answers Internal, and logs the cause, when the registry lookup fails', async () => {
    identitiesOnNode = () => {
      throw new Error('registry not ready');
    };
    await expect(ca.createCertificate({ authorization: `Bearer ${token}`, csr: await makeCsr({ uris: [CART] }) })).rejects.toMatchObject({
      code: 'Internal',
    });
    expect(log.lines().find((line) => line.msg === 'certificate request failed')).toMatchObject({
      node: 'node-a',
      identity: CART,
      err: expect.objectContaining({ message: 'registry not ready' }),
    });
  });
});
