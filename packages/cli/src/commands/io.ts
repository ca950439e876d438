/**
 * Where a command writes: stdout for results, stderr for progress and errors (`process` by default).
 *
 * @example
 * const io: Io = { stdout: process.stdout, stderr: process.stderr };
 */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}
