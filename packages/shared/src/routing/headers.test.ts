import { describe, expect, it } from 'vitest';
import { applyRequestHeaderModifier, applyResponseHeaderModifier } from './headers';

describe('header modifiers', () => {
  const request = { 'x-header-set': 'set-val', 'x-header-add-append': 'append-val-1', 'x-header-remove': 'remove-val', keep: 'k' };

  it('set replaces, add appends after existing values, remove deletes; names are case-insensitive', () => {
    const out = applyRequestHeaderModifier(request, {
      set: [{ name: 'X-Header-Set', value: 'set-overwrites-values' }],
      add: [
        { name: 'X-Header-Add', value: 'header-val-1' },
        { name: 'X-Header-Add-Append', value: 'header-val-2' },
      ],
      remove: ['X-Header-Remove'],
    });
    expect(out).toEqual({
      'x-header-set': 'set-overwrites-values',
      'x-header-add': 'header-val-1',
      'x-header-add-append': ['append-val-1', 'header-val-2'],
      keep: 'k',
    });
  });

  it('leave the input headers untouched', () => {
    const before = { ...request };
    applyRequestHeaderModifier(request, { set: [{ name: 'keep', value: 'changed' }], remove: ['x-header-set'] });
    expect(request).toEqual(before);
  });

  it('append to an already repeated header and set over one', () => {
    const out = applyResponseHeaderModifier(
      { 'set-cookie': ['a=1', 'b=2'], via: ['1.1 a', '1.1 b'] },
      { add: [{ name: 'Set-Cookie', value: 'c=3' }], set: [{ name: 'Via', value: '1.1 ambit' }] },
    );
    expect(out).toEqual({ 'set-cookie': ['a=1', 'b=2', 'c=3'], via: '1.1 ambit' });
  });

  it('remove before they set or add, as Envoy: a name both removed and set ends up with the set value', () => {
    const out = applyRequestHeaderModifier(
      { 'x-a': 'old', 'x-b': 'old' },
      { set: [{ name: 'X-A', value: 'new' }], add: [{ name: 'x-b', value: 'added' }], remove: ['x-a', 'X-B'] },
    );
    expect(out).toEqual({ 'x-a': 'new', 'x-b': 'added' });
  });

  it('ignore removing a header that is not there', () => {
    expect(applyResponseHeaderModifier({ a: '1' }, { remove: ['b'] })).toEqual({ a: '1' });
  });

  it('never touch framing, hop-by-hop or pseudo-headers, even when a config slipped past validation', () => {
    const request = { 'content-length': '5', 'transfer-encoding': 'chunked', connection: 'keep-alive', host: 'reviews', te: 'trailers' };
    const framing = [
      'Content-Length',
      'Transfer-Encoding',
      'Connection',
      'Keep-Alive',
      'Upgrade',
      'TE',
      'Trailer',
      'Proxy-Connection',
      'Host',
    ];
    const names = [...framing, ':authority', ':path'];
    const modifier = {
      set: names.map((name) => ({ name, value: '0' })),
      add: names.map((name) => ({ name, value: 'smuggled' })),
      remove: names,
    };
    expect(applyRequestHeaderModifier(request, modifier)).toEqual(request);
    expect(applyResponseHeaderModifier({ 'content-length': '2', a: '1' }, modifier)).toEqual({ 'content-length': '2', a: '1' });
  });

  it('still modify a name that only starts like a framing header', () => {
    expect(
      applyRequestHeaderModifier(
        {},
        {
          set: [
            { name: 'Content-Length-Hint', value: '1' },
            { name: 'Hostname', value: 'h' },
          ],
        },
      ),
    ).toEqual({
      'content-length-hint': '1',
      hostname: 'h',
    });
  });
});
