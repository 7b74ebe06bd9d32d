/** How the stack and the compose stand-ins fetch Flink's distribution: binary wheels from PyPI. */

/** python3 arguments that download exactly these wheels (no dependencies, no source builds) into `dir`. */
export function pipDownloadArgs(dir: string, requirements: string[]): string[] {
  return ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', dir, ...requirements];
}
