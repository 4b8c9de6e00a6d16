// Switches the example between Next's two names for the same file:
//   node scripts/switch.mjs proxy       middleware.ts -> proxy.ts (Next 16, Node runtime)
//   node scripts/switch.mjs middleware  proxy.ts -> middleware.ts (edge runtime)
// The code does not change: clerkMiddleware works as the default export of either.
import { existsSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const target = process.argv[2];
if (target !== 'proxy' && target !== 'middleware') {
  console.error('usage: node scripts/switch.mjs proxy|middleware');
  process.exit(2);
}
const dir = process.argv[3] ?? fileURLToPath(new URL('..', import.meta.url));
const from = `${dir}/${target === 'proxy' ? 'middleware' : 'proxy'}.ts`;
const to = `${dir}/${target}.ts`;

if (existsSync(to) && !existsSync(from)) {
  console.log(`Already using ${target}.ts.`);
} else if (existsSync(from) && !existsSync(to)) {
  renameSync(from, to);
  console.log(`Now using ${target}.ts. Rebuild with npm run build.`);
} else {
  console.error(`Expected exactly one of middleware.ts and proxy.ts in ${dir}.`);
  process.exit(1);
}
