import { describe, expect, it } from 'vitest';
import { Http1HeadBuilder } from './http1-head';

describe('Http1HeadBuilder', () => {
  it('writes a head as latin1 bytes ending in an empty line', () => {
    const head = new Http1HeadBuilder()
      .start('HTTP/1.1 200 OK\r\n')
      .line('content-type', 'text/plain')
      .line('x-name', 'caf\u00e9')
      .finish();
    expect(head.toString('latin1')).toBe('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-name: caf\u00e9\r\n\r\n');
    expect(head.length).toBe(head.toString('latin1').length);
  });

  it('forgets a head left halfway when the next one starts', () => {
    const builder = new Http1HeadBuilder();
    builder.start('GET / HTTP/1.1\r\n').line('a', 'b');
    expect(builder.start('GET /x HTTP/1.1\r\n').finish().toString('latin1')).toBe('GET /x HTTP/1.1\r\n\r\n');
  });
});
