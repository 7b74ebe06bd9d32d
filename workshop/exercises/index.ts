/** The workshop's exercise set: what it plugs into the pipeline (workshop/pipeline.ts). */
import type { WorkshopSteps } from '../pipeline';
import { addTickSteps } from './round-lots';
import { addSymbolWindows } from './volume-30s';

export const steps: WorkshopSteps = { addTickSteps, addSymbolWindows };
