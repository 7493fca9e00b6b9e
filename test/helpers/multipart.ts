/** @module Builds multipart/form-data request bodies for API tests, as a Buffer or (for huge uploads) a stream. */
import { Readable } from 'node:stream';

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

const BOUNDARY = '----fillflow-test-boundary-7MA4YWxkTrZu0gW';

function head(p: { name: string; filename?: string; contentType?: string }): string {
  const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
  return `--${BOUNDARY}\r\nContent-Disposition: ${disp}\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : p.filename !== undefined ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`;
}

export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const p of parts) chunks.push(Buffer.from(head(p)), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
}

/** One file part of `bytes` zero bytes, generated a megabyte at a time: neither side holds it whole. */
export function hugeUpload(name: string, filename: string, bytes: number): { payload: Readable; headers: Record<string, string> } {
  const mb = Buffer.alloc(1 << 20, 0x61);
  let left = bytes;
  let stage = 0;
  const payload = new Readable({
    read() {
      if (stage === 0) {
        stage = 1;
        this.push(Buffer.from(head({ name, filename, contentType: 'text/plain' })));
      } else if (left > 0) {
        const n = Math.min(left, mb.length);
        left -= n;
        this.push(n === mb.length ? mb : mb.subarray(0, n));
      } else if (stage === 1) {
        stage = 2;
        this.push(Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
      } else this.push(null);
    },
  });
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
}
