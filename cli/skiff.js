#!/usr/bin/env -S node --max-semi-space-size=32
// The `skiff` executable: a shim that loads the compiled CLI (npm run build).
// V8's young generation is raised from 16 to 32 MiB per semi-space: a busy
// API server allocates fast, and with the default size it spent ~15 % of its
// CPU in scavenges (bench:scheduler: 3.2 → 2.8 ms of server CPU per pod).
// test/helpers/skiff.ts reads these flags from this line, so spawned test
// processes run as the executable does.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const compiled = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('skiff: not built yet; run `npm run build` first\n');
  process.exit(1);
}
await import(compiled);
