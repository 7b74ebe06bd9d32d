/**
 * Refuses to resume from state whose window operators are of the kind bridges kept before windows
 * became accumulators. Those kept every record of an open window under the operator uid `<window>`;
 * today's window operators keep one accumulator per window and key under `<window>-acc` and cannot
 * read the old state. Flink would silently start the new operators empty (with
 * --allow-non-restored-state) or refuse with a message that does not say why; this says what is lost.
 *
 * Flink stores each operator's state in the savepoint's `_metadata` under its operator id: the
 * 128-bit MurmurHash3 (x64, seed 0) of the uid's UTF-8 bytes (StreamGraphHasherV2), as 16 bytes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Descriptor } from '@ticker/pipeline/descriptor';

/** The savepoint holds old-kind window state and the user did not accept losing it. */
export class OldWindowStateError extends Error {
  override readonly name = 'OldWindowStateError';
}

const MASK = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK;
const mul = (a: bigint, b: bigint) => (a * b) & MASK;

function fmix(k: bigint): bigint {
  let h = k;
  h ^= h >> 33n;
  h = mul(h, 0xff51afd7ed558ccdn);
  h ^= h >> 33n;
  h = mul(h, 0xc4ceb9fe1a85ec53n);
  h ^= h >> 33n;
  return h;
}

/** MurmurHash3 x64 128 (seed 0) of `bytes`, as Guava's asBytes(): h1 then h2, each little-endian. */
export function murmur3x64_128(bytes: Uint8Array): Buffer {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h1 = 0n;
  let h2 = 0n;
  const blocks = Math.floor(data.length / 16);
  for (let i = 0; i < blocks; i++) {
    let k1 = data.readBigUInt64LE(i * 16);
    let k2 = data.readBigUInt64LE(i * 16 + 8);
    k1 = mul(rotl(mul(k1, C1), 31n), C2);
    h1 ^= k1;
    h1 = (mul(rotl(h1, 27n) + h2, 5n) + 0x52dce729n) & MASK;
    k2 = mul(rotl(mul(k2, C2), 33n), C1);
    h2 ^= k2;
    h2 = (mul(rotl(h2, 31n) + h1, 5n) + 0x38495ab5n) & MASK;
  }
  const tail = data.subarray(blocks * 16);
  let k1 = 0n;
  let k2 = 0n;
  for (let i = tail.length - 1; i >= 8; i--) k2 |= BigInt(tail[i]!) << BigInt((i - 8) * 8);
  for (let i = Math.min(tail.length, 8) - 1; i >= 0; i--) k1 |= BigInt(tail[i]!) << BigInt(i * 8);
  if (tail.length > 8) h2 ^= mul(rotl(mul(k2, C2), 33n), C1);
  if (tail.length > 0) h1 ^= mul(rotl(mul(k1, C1), 31n), C2);
  const length = BigInt(data.length);
  h1 ^= length;
  h2 ^= length;
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  const out = Buffer.alloc(16);
  out.writeBigUInt64LE(h1, 0);
  out.writeBigUInt64LE(h2, 8);
  return out;
}

/** Flink's operator id (hex) for a user-specified uid. */
export function operatorIdOfUid(uid: string): string {
  return murmur3x64_128(Buffer.from(uid, 'utf8')).toString('hex');
}

/** The savepoint or checkpoint directory's `_metadata` file as a local path; undefined for remote storage. */
export function metadataFile(savepointPath: string): string | undefined {
  if (savepointPath.startsWith('file:')) {
    return join(fileURLToPath(new URL(savepointPath.replace(/^file:\/*/, 'file:///'))), '_metadata');
  }
  if (savepointPath.startsWith('/')) return join(savepointPath, '_metadata');
  return undefined;
}

/** The window nodes of `descriptor` whose old-kind state (uid = node name) `metadata` holds. */
export function oldWindowStateIn(metadata: Buffer, descriptor: Descriptor): string[] {
  return descriptor.nodes
    .filter((n) => n.kind === 'window')
    .map((n) => n.name)
    .filter((name) => metadata.includes(murmur3x64_128(Buffer.from(name, 'utf8'))));
}

/**
 * Checks the state deploy is about to resume from. Returns a warning when it cannot read the
 * metadata (remote storage); throws OldWindowStateError naming the windows and the way out unless
 * `dropOldWindowState` accepts the loss.
 */
export async function checkWindowState(
  savepointPath: string,
  descriptor: Descriptor,
  dropOldWindowState: boolean,
): Promise<{ warning?: string; dropped: string[] }> {
  const file = metadataFile(savepointPath);
  let metadata: Buffer;
  try {
    if (file === undefined) throw new Error('not a local path');
    metadata = await readFile(file);
  } catch (error) {
    return {
      warning: `could not read ${file ?? savepointPath} (${(error as Error).message}) to check its window state; if it was taken before windows became accumulators, its open windows are lost`,
      dropped: [],
    };
  }
  const old = oldWindowStateIn(metadata, descriptor);
  if (old.length === 0 || dropOldWindowState) return { dropped: old };
  const names = old.map((n) => `"${n}"`).join(', ');
  throw new OldWindowStateError(
    `${savepointPath} holds window state of the old kind for ${names} (every record of each open window, operator uid = the node name). ` +
      'This bridge keeps one accumulator per window and key (uid <window>-acc) and cannot read it: resuming drops the windows that were open ' +
      'when the savepoint was taken, so their results (e.g. the candles of those minutes) are never written, although their ticks are. ' +
      'To accept that loss, deploy again with --drop-old-window-state. To lose nothing, deploy without a savepoint: the job re-reads ' +
      "the topic from the source's starting offsets and the idempotent tables get the same rows again, the missing windows included, " +
      'as long as the topic still holds their records.',
  );
}
