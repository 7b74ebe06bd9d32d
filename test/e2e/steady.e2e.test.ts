import { expect, it } from 'vitest';
import { recordReport } from './report';
import { runScenario } from './scenario';

it('steady: every tick, candle, alert and rejection is exact', async () => {
  const report = await runScenario('steady');
  recordReport(report);
  // The seeded input has 2% bad records and several minutes of event time: all of them are checked above.
  expect(report.expected.rejected).toBe(120);
  expect(report.expected.candles).toBeGreaterThanOrEqual(25);
});
