export { generateDataset, progressQuery } from './generate-dataset';
export type { GenerationProgress, GenerationResult, Phase } from './generate-dataset';
export { analyzeDataset, wrappedProgressQuery } from './analyze-dataset';
