import { describe, expect, it } from 'vitest';
import { readWorkloadCsr } from './csr';
import { makeCsr, tamperCsr } from './test-fixtures';

const CART = 'spiffe://cluster.local/ns/shop/sa/cart';

function refused(code: string, message: RegExp) {
  return { code, message: expect.stringMatching(message) };
}

describe('readWorkloadCsr', () => {
  it('accepts a P-256 CSR whose one URI SAN is a SPIFFE id in the trust domain', async () => {
    const csr = await readWorkloadCsr(await makeCsr({ uris: [CART] }), 'cluster.local');
    expect(csr.identity).toBe(CART);
    expect(csr.spiffeId).toEqual({ trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'cart' });
  });

  it('refuses an RSA key and a P-384 key, naming what it found', async () => {
    await expect(readWorkloadCsr(await makeCsr({ uris: [CART], key: 'rsa' }), 'cluster.local')).rejects.toMatchObject(
      refused('InvalidArgument', /RSA key; workload certificates need an ECDSA P-256 key/),
    );
    await expect(readWorkloadCsr(await makeCsr({ uris: [CART], key: 'p384' }), 'cluster.local')).rejects.toMatchObject(
      refused('InvalidArgument', /curve secp384r1/),
    );
  });

  it('refuses two SANs, a DNS SAN beside the URI, and no SAN at all', async () => {
    const two = await makeCsr({ uris: [CART, 'spiffe://cluster.local/ns/shop/sa/admin'] });
    await expect(readWorkloadCsr(two, 'cluster.local')).rejects.toMatchObject(
      refused('InvalidArgument', /exactly one subject alternative name.*found url:.*cart, url:.*admin/),
    );
    const withDns = await makeCsr({ uris: [CART], dnsNames: ['cart.shop.svc'] });
    await expect(readWorkloadCsr(withDns, 'cluster.local')).rejects.toMatchObject(refused('InvalidArgument', /dns:cart\.shop\.svc/));
    await expect(readWorkloadCsr(await makeCsr(), 'cluster.local')).rejects.toMatchObject(refused('InvalidArgument', /found none/));
  });

  it('refuses URIs that are not SPIFFE ids of the Istio form', async () => {
    for (const uri of ['https://cart.example.com', 'spiffe://cluster.local/ns/shop', 'spiffe://cluster.local/ns/Shop/sa/cart']) {
      await expect(readWorkloadCsr(await makeCsr({ uris: [uri] }), 'cluster.local')).rejects.toMatchObject(
        refused('InvalidArgument', /is not a SPIFFE id of the form spiffe:\/\/<trust-domain>/),
      );
    }
  });

  it('refuses an identity in another trust domain as a permission matter', async () => {
    const csr = await makeCsr({ uris: ['spiffe://evil.example/ns/shop/sa/cart'] });
    await expect(readWorkloadCsr(csr, 'cluster.local')).rejects.toMatchObject(
      refused('PermissionDenied', /trust domain "evil\.example", but this CA signs only for "cluster\.local"/),
    );
  });

  it('refuses a CSR altered after it was signed', async () => {
    const tampered = tamperCsr(await makeCsr({ uris: [CART] }), 'sa/cart', 'sa/cars');
    await expect(readWorkloadCsr(tampered, 'cluster.local')).rejects.toMatchObject(refused('InvalidArgument', /signature does not verify/));
  });

  it('refuses text that is not a PEM certificate request', async () => {
    await expect(readWorkloadCsr('hello', 'cluster.local')).rejects.toMatchObject(refused('InvalidArgument', /PEM-encoded PKCS#10/));
    const broken = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n';
    await expect(readWorkloadCsr(broken, 'cluster.local')).rejects.toMatchObject(refused('InvalidArgument', /not a readable PKCS#10/));
  });
});
