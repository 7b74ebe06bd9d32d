/**
 * The workshop pipeline's alert threshold, in percent (the stock pipeline's default, 0.2). Module 5
 * changes it while the job runs and reloads the worker live (docs/workshop/05-failure-and-recovery.md).
 */
export const ALERT_THRESHOLD_PCT = 0.2;
