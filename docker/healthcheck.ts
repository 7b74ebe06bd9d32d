/**
 * Container healthchecks of the Node image (compose `healthcheck.test`):
 *   healthcheck.ts grpc <host:port> [service]   grpc.health.v1 Check answers SERVING
 *   healthcheck.ts http <url>                    the URL answers 2xx
 *   healthcheck.ts topic-growing <topic>         the topic's end offsets grew since the last check
 *   healthcheck.ts fresh-file <path> <seconds>   the file was written within so many seconds
 * Exit 0 = healthy, 1 = unhealthy (with the reason on stderr, which `docker inspect` shows).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadConfig } from '@ticker/common';
import { service as healthService } from 'grpc-health-check';
import { Kafka, logLevel } from 'kafkajs';

const TIMEOUT_MS = 4000;

async function grpcServing(address: string, serviceName: string): Promise<string | undefined> {
  const Client = makeGenericClientConstructor(healthService, 'Health');
  const client = new Client(address, credentials.createInsecure());
  try {
    const status = await new Promise<string>((resolve, reject) => {
      client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (arg: { service: string }) => Buffer.from(healthService.Check!.requestSerialize(arg)),
        (buf: Buffer) => healthService.Check!.responseDeserialize(buf) as { status: string },
        { service: serviceName },
        { deadline: Date.now() + TIMEOUT_MS },
        (error: ServiceError | null, response?: { status: string }) =>
          error ? reject(error) : resolve(String(response?.status)),
      );
    });
    return status === 'SERVING' ? undefined : `gRPC health of "${serviceName}" at ${address} is ${status}`;
  } catch (error) {
    return `gRPC health check of ${address} failed: ${(error as Error).message}`;
  } finally {
    client.close();
  }
}

async function httpOk(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return response.ok ? undefined : `${url} answered HTTP ${response.status}`;
  } catch (error) {
    return `${url} unreachable: ${(error as Error).message}`;
  }
}

/** Healthy when the topic's summed end offsets exceed the value seen by the previous check. */
async function topicGrowing(topic: string): Promise<string | undefined> {
  const kafka = new Kafka({
    clientId: 'healthcheck',
    brokers: loadConfig().kafka.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: TIMEOUT_MS,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    const end = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    const stateFile = join(tmpdir(), `healthcheck-${topic}.offset`);
    // The first check compares with 0: an empty topic is not a healthy producer.
    const previous = Number(await readFile(stateFile, 'utf8').catch(() => '0'));
    await writeFile(stateFile, String(end));
    return end > previous ? undefined : `topic ${topic} did not grow since the last check (end offset ${end})`;
  } catch (error) {
    return `cannot read offsets of topic ${topic}: ${(error as Error).message}`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Healthy when a periodic job wrote its heartbeat file recently (the retention job does, after each pass). */
async function freshFile(path: string, maxAgeSeconds: number): Promise<string | undefined> {
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) return `max age must be a number of seconds > 0`;
  try {
    const ageSeconds = (Date.now() - (await stat(path)).mtimeMs) / 1000;
    return ageSeconds <= maxAgeSeconds
      ? undefined
      : `${path} is ${Math.round(ageSeconds)} s old (max ${maxAgeSeconds} s)`;
  } catch (error) {
    return `${path} not written yet: ${(error as Error).message}`;
  }
}

async function check(args: string[]): Promise<string | undefined> {
  const [mode, target, extra] = args;
  if (mode === 'grpc' && target) return grpcServing(target, extra ?? '');
  if (mode === 'http' && target) return httpOk(target);
  if (mode === 'topic-growing' && target) return topicGrowing(target);
  if (mode === 'fresh-file' && target && extra) return freshFile(target, Number(extra));
  return 'usage: healthcheck.ts grpc <host:port> [service] | http <url> | topic-growing <topic> | fresh-file <path> <seconds>';
}

const problem = await check(process.argv.slice(2));
if (problem) process.stderr.write(`unhealthy: ${problem}\n`);
process.exit(problem ? 1 : 0);
