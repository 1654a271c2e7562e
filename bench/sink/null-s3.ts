import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredObject {
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * An S3-compatible endpoint (path style) that answers at once and keeps objects only in this
 * process's memory until `POST /_reset`: PutObject, HeadObject, GetObject, ListObjectsV2,
 * CreateBucket/HeadBucket; `GET /_stats` counts the PUTs, GETs (and HEADs) and LISTs since the last reset. It shows tributary's ceiling when moto (single-threaded Python) is the
 * bottleneck; bodies are kept only so that the harness can check what was written.
 */
export async function startNullS3(port = 0) {
  const objects = new Map<string, StoredObject>();
  const counts = { puts: 0, gets: 0, lists: 0 };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://sink');
    if (url.pathname === '/_reset') {
      objects.clear();
      Object.assign(counts, { puts: 0, gets: 0, lists: 0 });
      return reply(response, 200);
    }
    if (url.pathname === '/_stats') return reply(response, 200, {}, JSON.stringify(counts));
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const id = `${bucket}/${key}`;
    const body = await readBody(request);
    if (key === '') {
      if (request.method === 'GET') {
        counts.lists++;
        return list(response, objects, bucket, url.searchParams.get('prefix') ?? '');
      }
      return reply(response, 200); // CreateBucket, HeadBucket
    }
    if (request.method === 'PUT') {
      counts.puts++;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if ((name.startsWith('x-amz-meta-') || name === 'content-encoding') && typeof value === 'string')
          headers[name] = value;
      }
      const decoded = request.headers['x-amz-decoded-content-length'] === undefined ? body : unchunk(body);
      objects.set(id, { body: decoded, headers });
      return reply(response, 200, { etag: '"0"' });
    }
    counts.gets++; // S3 bills a HEAD as a GET
    const object = objects.get(id);
    if (object === undefined) return reply(response, 404);
    const headers = { ...object.headers, 'content-length': String(object.body.length), etag: '"0"' };
    if (request.method === 'HEAD') {
      response.writeHead(200, headers);
      return response.end();
    }
    response.writeHead(200, headers);
    response.end(object.body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => reply(response, 500));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function list(response: ServerResponse, objects: Map<string, StoredObject>, bucket: string, prefix: string) {
  const contents: string[] = [];
  for (const [id, object] of objects) {
    const key = id.slice(bucket.length + 1);
    if (id.startsWith(`${bucket}/`) && key.startsWith(prefix))
      contents.push(`<Contents><Key>${escapeXml(key)}</Key><Size>${object.body.length}</Size></Contents>`);
  }
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
    `<KeyCount>${contents.length}</KeyCount><MaxKeys>${contents.length}</MaxKeys><IsTruncated>false</IsTruncated>` +
    `${contents.join('')}</ListBucketResult>`;
  reply(response, 200, { 'content-type': 'application/xml' }, xml);
}

function reply(response: ServerResponse, status: number, headers: Record<string, string> = {}, body = '') {
  response.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

/** Decodes an `aws-chunked` body: `<hex size>;chunk-signature=...\r\n<data>\r\n` ... `0;...\r\n`. */
function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString().split(';')[0] ?? '0', 16);
    if (!size) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
