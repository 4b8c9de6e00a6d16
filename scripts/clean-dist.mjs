// Removes dist/ before a build. Not tsup's `clean`: the two builds in tsup.config.ts run at once,
// and one build's clean would delete the other's output.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
