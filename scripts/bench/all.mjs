// `npm run bench`: runs every benchmark in turn (each compares carbon-ts with the installed reference in
// the same run). Extra arguments are passed to each one, e.g. `npm run bench -- --quick`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
let failed = 0;
for (const name of ['whisper', 'cache', 'relay', 'aggregator']) {
  const script = `${here}${name}.mjs`;
  if (!existsSync(script)) continue;
  console.log(`\n=== bench:${name}`);
  const r = spawnSync(process.execPath, [script, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
