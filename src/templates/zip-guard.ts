/** @module Checks a ZIP (a DOCX) before any library unpacks it: bounded entries, no traversal, and every
 * entry really inflated under a byte budget, so a zip bomb is refused without ever being held in memory. */
import { inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  /** Uncompressed bytes over all entries. @default 64 MiB */
  maxTotalBytes: number;
  /** @default 2000 */
  maxEntries: number;
}

/** The limits every ZIP that enters (a DOCX template, a DOCX document) is held to unless a caller sets its own. */
export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({ maxTotalBytes: 64 * 1024 * 1024, maxEntries: 2000 });

/** Why a ZIP was refused; the message says so in the user's terms. */
export class ZipError extends Error {
  override readonly name = 'ZipError';
  constructor(
    readonly code: 'not_a_zip' | 'zip_bomb' | 'unsafe_entry' | 'unsupported_zip',
    message: string,
  ) {
    super(message);
  }
}

export interface ZipEntryInfo {
  name: string;
  uncompressedSize: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Reads the central directory and inflates every entry with `maxOutputLength`, so the declared sizes are
 * not trusted: a bomb that lies about its size is stopped at the budget, not after filling memory.
 * @throws ZipError
 */
export function checkZip(bytes: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntryInfo[] {
  if (bytes.length < 22 || bytes.readUInt32LE(0) !== LOCAL) throw new ZipError('not_a_zip', 'not a ZIP archive (a .docx is one)');
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not_a_zip', 'not a complete ZIP archive (no central directory)');
  const count = bytes.readUInt16LE(eocd + 10);
  const dirOffset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirOffset === 0xffffffff) throw new ZipError('unsupported_zip', 'ZIP64 archives are not accepted');
  if (count > limits.maxEntries) throw new ZipError('zip_bomb', `the archive has ${count} entries (at most ${limits.maxEntries})`);

  const entries: ZipEntryInfo[] = [];
  let budget = limits.maxTotalBytes;
  let p = dirOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || bytes.readUInt32LE(p) !== CENTRAL) throw new ZipError('not_a_zip', 'corrupt ZIP central directory');
    const flags = bytes.readUInt16LE(p + 8);
    const method = bytes.readUInt16LE(p + 10);
    const compressed = bytes.readUInt32LE(p + 20);
    const declared = bytes.readUInt32LE(p + 24);
    const nameLen = bytes.readUInt16LE(p + 28);
    const extraLen = bytes.readUInt16LE(p + 30);
    const commentLen = bytes.readUInt16LE(p + 32);
    const local = bytes.readUInt32LE(p + 42);
    const name = bytes.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;

    if (name.startsWith('/') || name.includes('\\') || name.split('/').includes('..') || name.includes('\0')) {
      throw new ZipError('unsafe_entry', `unsafe entry name in the archive: ${JSON.stringify(name.slice(0, 100))}`);
    }
    if (flags & 1) throw new ZipError('unsupported_zip', 'encrypted ZIP entries are not accepted');
    if (declared > budget) {
      throw new ZipError('zip_bomb', `the archive unpacks to more than ${limits.maxTotalBytes} bytes (a zip bomb?)`);
    }
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL) throw new ZipError('not_a_zip', `corrupt ZIP entry ${name}`);
    const dataStart = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(dataStart, dataStart + compressed);
    let size: number;
    if (method === 0) size = data.length;
    else if (method === 8) {
      try {
        size = inflateRawSync(data, { maxOutputLength: Math.max(1, budget) }).length;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
          throw new ZipError('zip_bomb', `the archive unpacks to more than ${limits.maxTotalBytes} bytes (a zip bomb?)`);
        }
        throw new ZipError('not_a_zip', `corrupt ZIP entry ${name}: ${(err as Error).message}`);
      }
    } else throw new ZipError('unsupported_zip', `ZIP compression method ${method} is not supported`);
    if (size !== declared) throw new ZipError('not_a_zip', `ZIP entry ${name} is ${size} bytes but declares ${declared}`);
    budget -= size;
    entries.push({ name, uncompressedSize: size });
  }
  return entries;
}
