/**
 * The pipeline you edit in the workshop: the stock pipeline plus your exercises (workshop/exercises/).
 *   npm run workshop:describe            its descriptor
 *   npm run workshop:worker              serve it
 *   npm run deploy -- --pipeline workshop/exercise.ts ...
 */
import { steps } from './exercises';
import { workshopPipeline } from './pipeline';

export default workshopPipeline(steps);
