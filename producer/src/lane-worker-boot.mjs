// Worker threads do not inherit tsx's module hooks (Node 20), so the lane
// worker is started through this plain-JS file, which loads the TypeScript one.
import { tsImport } from 'tsx/esm/api';

await tsImport('./lane-worker.ts', import.meta.url);
