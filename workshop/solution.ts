/** The workshop pipeline with the reference solutions (workshop/solutions/): the same commands as exercise.ts. */
import { workshopPipeline } from './pipeline';
import { steps } from './solutions';

export default workshopPipeline(steps);
