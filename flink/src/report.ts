/** Progress output of the CLI commands: numbered steps and details, on stdout. */

export interface Reporter {
  /** A new step ("[2] Uploading the bridge jar"). */
  step(message: string): void;
  /** A detail under the current step. */
  detail(message: string): void;
  /** Something the user should notice but that does not stop the command. */
  warn(message: string): void;
}

/** Writes steps to a stream (stdout by default). */
export function consoleReporter(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Reporter {
  let n = 0;
  return {
    step: (message) => write(`[${++n}] ${message}`),
    detail: (message) => write(`    ${message}`),
    warn: (message) => write(`    warning: ${message}`),
  };
}

/** Collects lines in memory (tests). */
export function memoryReporter(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, ...consoleReporter((line) => lines.push(line)) };
}
