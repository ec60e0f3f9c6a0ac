#!/usr/bin/env node
// The `skiff` executable: a shim that loads the compiled CLI (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const compiled = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('skiff: not built yet; run `npm run build` first\n');
  process.exit(1);
}
await import(compiled);
