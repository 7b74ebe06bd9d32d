/**
 * One producer lane in a worker thread: its own idempotent kafkajs producer,
 * one batch at a time. The main thread routes each key to one lane, so a
 * key's order is that lane's order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '@ticker/common';
import type { LaneReply, LaneRequest, LaneSettings } from './lanes';
import { KafkaUnavailableError, TickPublisher } from './publisher';

const settings = workerData as LaneSettings;
const port = parentPort!;
const reply = (message: LaneReply): void => port.postMessage(message);

const logger = createLogger(`producer-lane-${settings.lane}`, settings.logLevel);
let publisher: TickPublisher;
try {
  publisher = await TickPublisher.connect({ ...settings.publisher, logger });
  reply({ type: 'ready' });
} catch (err) {
  reply({ type: 'connect-failed', message: err instanceof Error ? err.message : String(err) });
  process.exit(0);
}

port.on('message', async (request: LaneRequest) => {
  if (request.type === 'close') {
    await publisher.disconnect();
    reply({ type: 'closed' });
    port.close();
    return;
  }
  const messages = request.keys.map((key, i) => ({
    key,
    value: request.values[i]!,
    timestampMs: request.timestamps[i]!,
  }));
  try {
    await publisher.send(messages);
    reply({ type: 'sent', id: request.id });
  } catch (err) {
    const message = err instanceof KafkaUnavailableError || err instanceof Error ? err.message : String(err);
    reply({ type: 'failed', id: request.id, message });
  }
});
