export { generateDataset } from './generate-dataset';
export { analyzeDataset } from './analyze-dataset';
export { advanceWorld } from './advance-world';
export { createWorld } from './create-world';
export { streamWorld } from './stream-world';
export { checkWorldAdvance } from './check-world-advance';
