// Runs before `npm test`: the browser suite drives Debian's headless Chromium (puppeteer-core brings
// no browser of its own). Installs it with apt-get when it is missing and we may (root, Debian);
// otherwise says how, and fails before any test runs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium-headless-shell';
const INSTALL = ['install', '-y', '-qq', '--no-install-recommends', 'chromium-headless-shell'];

if (!existsSync(CHROMIUM)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error(`${CHROMIUM} is missing. Install it: sudo apt-get install ${INSTALL.slice(1).join(' ')}`);
    process.exit(1);
  }
  console.log('Installing chromium-headless-shell for the browser tests (apt-get)…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', INSTALL, { stdio: 'inherit' });
}
