export { run } from './run.js';
export type { Io } from './commands/io.js';
