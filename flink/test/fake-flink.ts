/** A tiny HTTP server standing in for Flink's REST API in unit tests. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: Buffer;
  contentType: string | undefined;
}

export type Handler = (request: RecordedRequest) => { status?: number; json?: unknown; text?: string };

/** Routes are "METHOD /path" (query string excluded); unknown routes answer 404 like Flink. */
export class FakeFlink {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Handler>();
  private server?: Server;
  url = '';

  on(route: string, handler: Handler): this {
    this.routes.set(route, handler);
    return this;
  }

  /** Answers the route with each of `responses` in turn, repeating the last one. */
  sequence(route: string, responses: unknown[]): this {
    let i = 0;
    return this.on(route, () => ({ json: responses[Math.min(i++, responses.length - 1)] }));
  }

  async start(): Promise<this> {
    this.server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        body: Buffer.concat(chunks),
        contentType: req.headers['content-type'],
      };
      this.requests.push(request);
      const handler = this.routes.get(`${request.method} ${path}`);
      const answer = handler ? handler(request) : { status: 404, json: { errors: [`Not found: ${path}`] } };
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(answer.text ?? JSON.stringify(answer.json ?? {}));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Requests made to a route ("METHOD /path"). */
  calls(route: string): RecordedRequest[] {
    return this.requests.filter((r) => `${r.method} ${r.path.split('?')[0]}` === route);
  }
}
