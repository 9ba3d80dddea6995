// A ustar archive for the tests that give the verifier a bundle.tar: a
// 512-byte header per member (§11), its contents padded to a block, and two
// zero blocks at the end. Not a test file itself (its name matches none of
// node --test's patterns).

const enc = new TextEncoder();

/** A ustar archive of [name, text or bytes] members, as a Buffer. */
export function ustar(files) {
  const blocks = [];
  for (const [name, text] of files) {
    const data = typeof text === 'string' ? enc.encode(text) : text;
    const h = new Uint8Array(512);
    const put = (str, at) => h.set(enc.encode(str), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(data.length.toString(8).padStart(11, '0') + '\0', 124);
    put('00000000000\0', 136);
    h.fill(0x20, 148, 156);
    h[156] = 0x30;
    put('ustar\0', 257);
    put('00', 263);
    let sum = 0;
    for (const x of h) sum += x;
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}
