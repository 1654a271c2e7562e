import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PayloadCodec } from '@temporalio/common';
import { payloadsFromJson, payloadsJsonSchema, payloadsToJson } from './payloads-json.ts';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Every request carries it: `Authorization: Bearer <token>`, or as the path segment before /decode. */
  token: string;
  /** Web UI origins a browser may call from (CORS). */
  allowedOrigins: string[];
  maxBodyBytes: number;
  host?: string;
  /** A free port when 0 or omitted. */
  port?: number;
  /** One line per refused or failed request; never a payload. */
  log?: (message: string) => void;
}

export interface CodecServer {
  /** http://host:port: with `Authorization: Bearer <token>`, for `temporal workflow show --codec-endpoint`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Temporal's codec server protocol: `POST .../encode` and `POST .../decode` take and return
 * `{"payloads": [...]}` (proto3 JSON); only the last path segment picks the operation. The token is
 * checked on every request, in constant time. The Web UI of a dev server cannot send headers, so
 * the token may also be the path segment before the operation: the UI's codec endpoint is then
 * `http://host:port/<token>`, a URL to keep as private as the token.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const token = Buffer.from(options.token);
  const log = options.log ?? (() => undefined);

  const authorized = (request: IncomingMessage, segments: string[]): boolean => {
    const header = request.headers.authorization;
    const offered = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : segments.at(-2);
    if (offered === undefined) return false;
    let candidate: Buffer;
    try {
      candidate = Buffer.from(decodeURIComponent(offered));
    } catch {
      return false; // a malformed %-escape
    }
    return candidate.length === token.length && timingSafeEqual(candidate, token);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const origin = request.headers.origin;
    if (origin !== undefined && options.allowedOrigins.includes(origin)) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Credentials', 'true');
      response.setHeader('Vary', 'Origin');
    }
    if (request.method === 'OPTIONS') {
      if (origin === undefined || !options.allowedOrigins.includes(origin))
        throw new HttpError(
          403,
          `origin ${origin ?? '(none)'} is not allowed: add it to TRIBUTARY_CODEC_SERVER_CORS_ORIGINS`,
        );
      response.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Max-Age': '600',
      });
      response.end();
      return;
    }
    const segments = new URL(request.url ?? '/', 'http://codec').pathname.split('/').filter((s) => s !== '');
    const operation = segments.at(-1);
    if (operation !== 'encode' && operation !== 'decode')
      throw new HttpError(404, 'POST to /encode or /decode');
    if (request.method !== 'POST') throw new HttpError(405, `${operation} takes POST`);
    if (!authorized(request, segments)) throw new HttpError(401, 'missing or wrong codec server token');
    const body = await readBody(request, options.maxBodyBytes);
    let payloads: ReturnType<typeof payloadsFromJson>;
    try {
      payloads = payloadsFromJson(payloadsJsonSchema.parse(JSON.parse(body)));
    } catch {
      throw new HttpError(400, 'the body is not {"payloads": [...]} in proto3 JSON');
    }
    const result =
      operation === 'decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
    sendJson(response, 200, payloadsToJson(result));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      log(`codec server: ${request.method} ${status} ${message}`);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // A refused body is not read on: the connection closes once the answer is out.
      if (status === 413) response.setHeader('Connection', 'close');
      sendJson(response, status, { error: message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, `the body is over ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `the body is over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}
