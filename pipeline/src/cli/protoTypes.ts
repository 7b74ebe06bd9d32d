/**
 * Generates the TypeScript types of the worker's .proto files into pipeline/src/contract/wire/generated with
 * proto-loader-gen-types (it ships with @grpc/proto-loader). `npm run proto:types` runs it; run it after
 * changing a .proto and commit the output. pipeline/test/wireTypes.test.ts fails when the committed
 * files differ from a fresh run, so they cannot drift from the .proto.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTO_OPTIONS } from '../worker/server';

const here = dirname(fileURLToPath(import.meta.url));
/** Where the generated types are committed. */
export const GENERATED_DIR = resolve(here, '../contract/wire/generated');
/** The generator names each file's source by the include path: relative to the repository root, so the output is the same in every checkout. */
const REPO_ROOT = resolve(here, '../../..');
const PROTO_DIR = 'pipeline/proto';
/** Every .proto the worker serves or calls. */
export const PROTO_FILES = ['worker.proto', 'worker_status.proto'] as const;

/** The generator's flags: the shapes proto-loader decodes to with the worker's PROTO_OPTIONS. */
function flags(): string[] {
  return [
    ...(PROTO_OPTIONS.keepCase ? ['--keepCase'] : []),
    `--longs=${PROTO_OPTIONS.longs.name}`,
    `--enums=${PROTO_OPTIONS.enums.name}`,
    ...(PROTO_OPTIONS.defaults ? ['--defaults'] : []),
    ...(PROTO_OPTIONS.oneofs ? ['--oneofs'] : []),
    '--includeComments',
    '--grpcLib=@grpc/grpc-js',
  ];
}

/** Writes the types of PROTO_FILES into outDir, replacing what was there (so removed messages go too). */
export function generateWireTypes(outDir: string = GENERATED_DIR): void {
  const bin = createRequire(import.meta.url).resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [bin, ...flags(), `--includeDirs=${PROTO_DIR}`, `--outDir=${outDir}`, ...PROTO_FILES],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  generateWireTypes();
  console.log(`wire types written to ${GENERATED_DIR}`);
}
