/**
 * The workshop's pipeline: the stock pipeline with the exercises plugged into its two extension
 * points (module 3: a step on the tick rows; module 4: a second window per symbol). With both
 * exercises untouched its descriptor is exactly the stock pipeline's, so a worker serving this file
 * can replace `npm run worker` under the running job, and a savepoint of the stock job restores
 * into it (every stock node name is kept).
 */
import { type Config, loadConfig } from '@ticker/common';
import type { Pipeline } from '../pipeline/src/dsl';
import { buildStockPipeline, type StockPipelineExtensions } from '../pipeline/src/stock';
import { ALERT_THRESHOLD_PCT } from './alert-threshold';

/** What an exercise set (exercises/ or solutions/) contributes to the pipeline. */
export type WorkshopSteps = StockPipelineExtensions;

/** Builds the stock pipeline with the workshop's steps plugged in. */
export function buildWorkshopPipeline(steps: WorkshopSteps, config: Config = loadConfig()): Pipeline {
  return buildStockPipeline(config, { extensions: steps, alertThresholdPct: ALERT_THRESHOLD_PCT });
}
