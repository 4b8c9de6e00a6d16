import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { OPERATIONS } from '../../src/api/generated/operations.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('generated Backend API files', () => {
  it('are what `npm run generate:api` makes from the vendored spec (regenerate when this fails)', () => {
    const out = mkdtempSync(join(tmpdir(), 'clerk-edge-api-'));
    try {
      execFileSync(process.execPath, [join(root, 'scripts/generate-api.mjs'), out], { cwd: root, stdio: 'pipe' });
      for (const file of ['bapi.ts', 'operations.ts']) {
        const fresh = readFileSync(join(out, file), 'utf8');
        const committed = readFileSync(join(root, 'src/api/generated', file), 'utf8');
        expect(committed === fresh, `src/api/generated/${file} is stale: run npm run generate:api`).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('names all 239 operations from x-speakeasy-group / x-speakeasy-name-override, or the operationId', () => {
    const rows = OPERATIONS.split('\n').filter((row) => row !== '');
    expect(rows).toHaveLength(239);
    expect(rows).toContain('users get get /users/{user_id}');
    expect(rows).toContain('users list get /users');
    expect(rows).toContain('organizationInvitations create post /organizations/{organization_id}/invitations');
    expect(rows).toContain(' createApiKey post /api_keys');
    expect(new Set(rows.map((row) => row.split(' ').slice(0, 2).join('.'))).size).toBe(239);
  });
});
