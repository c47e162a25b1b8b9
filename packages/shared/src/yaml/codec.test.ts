import { describe, expect, it } from 'vitest';
import { ambitFailure } from '../../test/support/ambit-failure';
import { decodeManifests, encodeManifests, MAX_OBJECT_BYTES, parseManifestStream } from './codec';

const failure = (fn: () => unknown) => ambitFailure(fn, 'expected decoding to fail');

describe('YAML codec', () => {
  it('decodes multi-document streams, skipping empty documents', () => {
    // A leading comment belongs to the first document, as YAML parsers count them.
    const docs = decodeManifests('# comment only\n---\na: 1\n---\n---\nb: 2\n');
    expect(docs.map((d) => [d.document, d.line, d.value])).toEqual([
      [0, 3, { a: 1 }],
      [2, 6, { b: 2 }],
    ]);
  });

  it('expands kind: List as kubectl does', () => {
    const docs = decodeManifests('apiVersion: v1\nkind: List\nitems:\n- {kind: A}\n- {kind: B}\n');
    expect(docs.map((d) => d.value)).toEqual([{ kind: 'A' }, { kind: 'B' }]);
  });

  it('names the document and line of a syntax error', () => {
    const err = failure(() => decodeManifests('a: 1\n---\nb: [1, 2\nc: 3\n'));
    expect(err.code).toBe('InvalidYaml');
    expect(err.details[0]).toMatchObject({ document: 1, line: 4 });
  });

  it('rejects duplicate keys', () => {
    expect(failure(() => decodeManifests('a: 1\na: 2\n')).code).toBe('InvalidYaml');
  });

  it('rejects a document over the object size limit before storing anything', () => {
    const big = `a: 1\n---\ndata: "${'x'.repeat(MAX_OBJECT_BYTES)}"\n`;
    const err = failure(() => decodeManifests(big));
    expect(err.code).toBe('DocumentTooLarge');
    expect(err.details[0]).toMatchObject({ document: 1 });
  });

  it('parses a stream once into every document and the line of any field an error names', () => {
    const text = [
      'kind: Service',
      'spec:',
      '  ports:',
      '    - name: http',
      '      port: 80',
      '    - {name: grpc, port: 90}',
      '---',
      'a: [1, 2',
      '---',
      'metadata: {labels: {"istio.io/use-waypoint": w}}',
    ].join('\n');
    const [service, broken, labelled] = parseManifestStream(text);
    expect(service?.value).toMatchObject({ kind: 'Service' });
    // The key of the field, then the item of a list, then as deep as the document goes.
    expect(service?.spanOf('spec.ports')).toMatchObject({ line: 3, column: 3 });
    expect(service?.spanOf('spec.ports[1].port')).toMatchObject({ line: 6, column: 20 });
    expect(service?.spanOf('spec.ports[0].targetPort')).toMatchObject({ line: 4, column: 7 });
    expect(service?.spanOf()).toMatchObject({ line: 1, column: 1 });
    // An invalid document is placed, not thrown, so the documents after it are still read.
    expect(broken).toMatchObject({ document: 1, value: undefined, syntaxError: { line: 9 } });
    expect(labelled?.spanOf('metadata.labels["istio.io/use-waypoint"]')).toMatchObject({ line: 10, column: 21 });
  });

  it('gives the items of a kind: List the lines of their own fields', () => {
    const [, second] = decodeManifests('kind: List\nitems:\n- {kind: A}\n- kind: B\n  spec: {x: 1}\n');
    expect(second?.spanOf('spec.x')).toMatchObject({ line: 5, column: 10 });
  });

  it('encodes objects so that they decode back unchanged', () => {
    const objects = [{ a: { b: [1, 'two', { c: 'yes' }] }, t: '2026-01-01T00:00:00Z', n: '0755' }, { z: null }];
    expect(decodeManifests(encodeManifests(objects)).map((d) => d.value)).toEqual(objects);
  });
});
