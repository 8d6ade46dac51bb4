export { generateDataset } from './generate-dataset';
export { analyzeDataset } from './analyze-dataset';
