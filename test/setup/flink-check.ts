/**
 * Per-file setup of the integration and end-to-end projects: before each file, a Flink TaskManager
 * that a previous file lost (a crash, a fault scenario that went wrong) is replaced, so the file
 * starts on a whole cluster instead of failing with NoResourceAvailableException.
 */
import { beforeAll } from 'vitest';
import { repairFlink } from '../../scripts/stack/repair';

beforeAll(async () => {
  const repaired = await repairFlink((message) => console.log(`[stack] ${message}`));
  if (repaired) console.log('[stack] Flink was not healthy before this file; it was repaired');
});
