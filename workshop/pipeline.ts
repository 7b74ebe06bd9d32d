/**
 * The workshop's pipeline: the stock pipeline with the exercises plugged into its two extension
 * points (module 3: a step on the tick rows; module 4: a second window per symbol). With both
 * exercises untouched its descriptor is exactly the stock pipeline's, so a worker serving this file
 * can replace `npm run worker` under the running job, and a savepoint of the stock job restores
 * into it (every stock node name is kept).
 */
import type { Config } from '@ticker/common';
import { definePipeline, type PipelineDefinition } from '@ticker/pipeline';
import { buildStockPipeline, type StockPipelineExtensions } from '@ticker/pipeline/stock';
import { ALERT_THRESHOLD_PCT } from './alert-threshold';

/** What an exercise set (exercises/ or solutions/) contributes to the pipeline. */
export type WorkshopSteps = StockPipelineExtensions;

/** The stock pipeline with the workshop's steps plugged in, built from the config by the loader. */
export function workshopPipeline(steps: WorkshopSteps): PipelineDefinition {
  return definePipeline((config: Config) =>
    buildStockPipeline(config, { extensions: steps, alertThresholdPct: ALERT_THRESHOLD_PCT }),
  );
}
