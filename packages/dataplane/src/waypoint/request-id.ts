/**
 * `x-request-id` values for requests that come without one: random (version 4) UUIDs, as Envoy
 * generates them. crypto.randomUUID builds its text from ~20 string concatenations per call; here the
 * random bytes are drawn in batches and the text is written into one buffer, read out as a single string.
 */
import { randomFillSync } from 'node:crypto';

const IDS_PER_DRAW = 128;
const random = Buffer.allocUnsafeSlow(16 * IDS_PER_DRAW);
let drawn = IDS_PER_DRAW;
const text = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');
const HEX = Buffer.from('0123456789abcdef', 'latin1');
// Where each of the 16 bytes goes in `xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx`.
const TEXT_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** A new random UUID (RFC 9562 version 4, variant 10), lower-case hex. */
export function newRequestId(): string {
  if (drawn === IDS_PER_DRAW) {
    randomFillSync(random);
    drawn = 0;
  }
  const base = drawn++ * 16;
  for (let i = 0; i < 16; i++) {
    let byte = random[base + i] as number;
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    const at = TEXT_OFFSETS[i] as number;
    text[at] = HEX[byte >> 4] as number;
    text[at + 1] = HEX[byte & 0x0f] as number;
  }
  return text.toString('latin1');
}
