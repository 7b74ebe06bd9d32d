/**
 * The OpenAPI document is the API's contract: every route is in it, and every
 * constraint it documents on a parameter is enforced with the documented 400
 * naming that parameter. The server runs with nothing behind it (bad
 * parameters are refused before anything is read).
 */
import net from 'node:net';
import { createLogger } from '@ticker/common';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineHealthSchema } from './answers';
import { UNTIL_PATTERN } from './params';
import { apiPlugin } from './plugins/api';
import { clickhousePlugin } from './plugins/clickhouse';
import { healthPlugin } from './plugins/health';
import { buildServer, type DashboardServer } from './server';

/** The parts of an OpenAPI 3.0 document this test reads. */
interface ParameterSchema {
  type?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  example?: string;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: ParameterSchema;
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, { content?: Record<string, { schema: { required?: string[] } }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/** The routes DESIGN.md and docs/dashboard.md promise, plus the document itself. */
const ROUTES = [
  '/api/alerts',
  '/api/candles',
  '/api/health',
  '/api/history',
  '/api/latest',
  '/api/openapi.json',
  '/api/recent',
  '/api/stats',
  '/api/stream',
  '/healthz',
];

let app: DashboardServer;
let doc: Document;

/** A local port nothing listens on: every service behind the server is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const port = await closedPort();
  app = await buildServer({
    clickhouse: { url: `http://127.0.0.1:${port}`, user: 'dashboard', password: '', database: 'stocks' },
    flinkUrl: `http://127.0.0.1:${port}`,
    workerAddress: `127.0.0.1:${port}`,
    pipelineName: 'stock-ticks',
    log: createLogger('dashboard-test', 'silent'),
  });
  const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json() as Document;
});

afterAll(async () => {
  await app.close();
});

/** Invalid values for a parameter, each with the message the API must answer, derived from its documented schema. */
function invalidValues(p: Parameter): { value: string; message: RegExp }[] {
  const { schema } = p;
  const named = (rest: string) => new RegExp(`^${p.name}: ${rest}`);
  const cases: { value: string; message: RegExp }[] = [];
  if (schema.type === 'integer' && schema.minimum !== undefined && schema.maximum !== undefined) {
    const range = `must be an integer from ${schema.minimum} to ${schema.maximum}$`;
    for (const value of [schema.minimum - 1, schema.maximum + 1, schema.minimum + 0.5, 'x']) {
      cases.push({ value: String(value), message: named(range) });
    }
  }
  if (schema.pattern !== undefined) {
    const pattern = new RegExp(schema.pattern);
    for (const value of ['~', `${schema.example ?? '1'}~`, '']) {
      // Only values the documented pattern refuses count.
      if (!pattern.test(value)) cases.push({ value, message: named('must be ') });
    }
    expect(cases.length).toBeGreaterThan(0);
  }
  return cases;
}

/** Query string of the route's required parameters at their documented example values, plus `extra`. */
function query(operation: Operation, extra: Record<string, string | string[]>, omit?: string): string {
  const params = new URLSearchParams();
  for (const p of operation.parameters ?? []) {
    if (p.required && p.name !== omit && !(p.name in extra)) params.append(p.name, p.schema.example ?? '');
  }
  for (const [name, value] of Object.entries(extra)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Sends GET `url` and checks the documented 400: its body names `parameter` and has the documented fields. */
async function expectBadParameter(path: string, operation: Operation, url: string, parameter: string, message: RegExp) {
  const res = await app.inject({ method: 'GET', url });
  expect(res.statusCode, url).toBe(400);
  const body = res.json() as Record<string, string>;
  const documented = operation.responses['400']?.content?.['application/json']?.schema.required;
  expect(documented, `${path} documents its 400`).toEqual(['error', 'message', 'parameter']);
  expect(Object.keys(body).sort(), url).toEqual(['error', 'message', 'parameter']);
  expect(body.error, url).toBe('Bad Request');
  expect(body.parameter, url).toBe(parameter);
  expect(body.message, url).toMatch(message);
}

describe('the OpenAPI document', () => {
  it('describes every route, each with a 200 and a 400 answer', () => {
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths).sort()).toEqual(ROUTES);
    for (const path of ROUTES) {
      const operation = doc.paths[path]?.get;
      expect(operation, path).toBeDefined();
      expect(Object.keys(operation?.responses ?? {}), path).toEqual(expect.arrayContaining(['200', '400']));
    }
  });

  it('documents the parameters with their constraints', () => {
    const parameters = (path: string) =>
      Object.fromEntries(
        (doc.paths[path]?.get?.parameters ?? []).map((p) => [p.name, { ...p.schema, required: p.required }]),
      );
    expect(parameters('/api/history')).toEqual({
      symbol: { type: 'string', pattern: '^[A-Z][A-Z0-9.]{0,9}$', example: 'AAPL', required: true },
      minutes: { type: 'integer', minimum: 1, maximum: 10080, required: false },
      limit: { type: 'integer', minimum: 1, maximum: 20000, required: false },
      // The document declares the very pattern the server checks (one rule, params.ts).
      until: { type: 'string', pattern: UNTIL_PATTERN.source, required: false },
    });
    expect(parameters('/api/recent')).toEqual({
      limit: { type: 'integer', minimum: 1, maximum: 500, required: false },
    });
    expect(parameters('/api/alerts')).toEqual({
      limit: { type: 'integer', minimum: 1, maximum: 200, required: false },
    });
    for (const path of ['/api/latest', '/api/health', '/api/stream', '/api/openapi.json', '/healthz']) {
      expect(parameters(path), path).toEqual({});
    }
  });
});

describe('every documented constraint is enforced with the documented 400', () => {
  it.each(ROUTES)('%s', async (path) => {
    const operation = doc.paths[path]?.get as Operation;
    let sent = 0;
    for (const p of operation.parameters ?? []) {
      expect(p.in).toBe('query');
      for (const { value, message } of invalidValues(p)) {
        await expectBadParameter(path, operation, `${path}${query(operation, { [p.name]: value })}`, p.name, message);
        sent += 1;
      }
      if (p.required) {
        await expectBadParameter(
          path,
          operation,
          `${path}${query(operation, {}, p.name)}`,
          p.name,
          /^\w+: must be given once/,
        );
        sent += 1;
      }
      // Every parameter is a single value.
      const twice = [p.schema.example ?? '1', p.schema.example ?? '1'];
      await expectBadParameter(
        path,
        operation,
        `${path}${query(operation, { [p.name]: twice })}`,
        p.name,
        /^\w+: must be given once/,
      );
      sent += 1;
    }
    // A parameter the document does not list is refused, on every route.
    await expectBadParameter(
      path,
      operation,
      `${path}${query(operation, { bogus: '1' })}`,
      'bogus',
      /^bogus: is not a parameter of this route$/,
    );
    sent += 1;
    expect(sent).toBeGreaterThan(0);
  });
});

describe('health with everything down', () => {
  it('is the documented answer, naming the configured pipeline and each service that is down', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    const health = pipelineHealthSchema.parse(res.json());
    expect(health.status).toBe('down');
    expect(health.pipeline).toBe('stock-ticks');
    expect([health.clickhouse.status, health.flink.status, health.worker.status]).toEqual(['down', 'down', 'down']);
    expect(health.flink.job).toBeNull();
  });
});

describe('plugin dependencies', () => {
  it('refuses a plugin without the decorators it needs, naming them', async () => {
    const bare = Fastify();
    await expect(bare.register(apiPlugin, { prefix: '/api' }).ready()).rejects.toThrow(
      "The decorator 'clickhouse' required by 'dashboard-api' is not present in Fastify",
    );
    await bare.close();
    const noSwagger = Fastify();
    noSwagger.register(clickhousePlugin, { url: 'http://127.0.0.1:1', user: 'u', password: '', database: 'stocks' });
    noSwagger.register(healthPlugin, {
      flinkUrl: 'http://127.0.0.1:1',
      workerAddress: '127.0.0.1:1',
      pipelineName: 'p',
    });
    await expect(noSwagger.register(apiPlugin, { prefix: '/api' }).ready()).rejects.toThrow(
      "The decorator 'swagger' required by 'dashboard-api' is not present in Fastify",
    );
    await noSwagger.close();
  });
});
