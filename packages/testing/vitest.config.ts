import { defineTdhookVitestConfig } from './src/vitest-project.js';

export default defineTdhookVitestConfig();
