import { describe, expect, it } from 'vitest';
import { sessionAuthObject, signedOutAuthObject, type SessionClaims } from '../../src/core/claims.js';

const base: SessionClaims = { sub: 'user_1', sid: 'sess_1', sts: 'active', exp: 2, iat: 1 };

describe('v1 organization claims', () => {
  const auth = sessionAuthObject({
    ...base,
    org_id: 'org_1',
    org_role: 'org:admin',
    org_slug: 'acme',
    org_permissions: ['org:reports:read'],
  });

  it('maps to the auth object', () => {
    expect(auth).toMatchObject({
      userId: 'user_1',
      sessionId: 'sess_1',
      orgId: 'org_1',
      orgRole: 'org:admin',
      orgSlug: 'acme',
      orgPermissions: ['org:reports:read'],
    });
  });

  it('answers has() for role and permission, with or without the org: prefix', () => {
    expect(auth.has({ role: 'org:admin' })).toBe(true);
    expect(auth.has({ role: 'admin' })).toBe(true);
    expect(auth.has({ role: 'org:member' })).toBe(false);
    expect(auth.has({ permission: 'org:reports:read' })).toBe(true);
    expect(auth.has({ permission: 'org:reports:manage' })).toBe(false);
  });
});

describe('v2 organization claims and the fpm bitmask', () => {
  // fea lists org features reports (index 0) and billing (index 1); per lists permission names.
  const claims: SessionClaims = {
    ...base,
    v: 2,
    fea: 'o:reports,u:dashboard,o:billing',
    pla: 'u:free,o:pro',
    o: { id: 'org_2', rol: 'admin', slg: 'acme', per: 'read,manage,delete', fpm: '5,2' },
  };
  const auth = sessionAuthObject(claims);

  it('expands fpm: bit j of the mask for feature i grants org:<feature i>:<per j>', () => {
    // 5 = 0b101 → read and delete on reports; 2 = 0b010 → manage on billing.
    expect(auth.orgPermissions).toEqual(['org:reports:read', 'org:reports:delete', 'org:billing:manage']);
    expect(auth.orgRole).toBe('org:admin');
    expect(auth.orgId).toBe('org_2');
  });

  it.each([
    ['0', []],
    ['1', ['org:reports:read']],
    ['7', ['org:reports:read', 'org:reports:manage', 'org:reports:delete']],
    ['8', []], // a bit past the end of per grants nothing
  ])('fpm %s on one feature gives %j', (fpm, expected) => {
    const one = sessionAuthObject({
      ...base,
      v: 2,
      fea: 'o:reports',
      o: { id: 'org', rol: 'member', per: 'read,manage,delete', fpm },
    });
    expect(one.orgPermissions).toEqual(expected);
  });

  it('ignores malformed masks and missing features instead of guessing', () => {
    const odd = sessionAuthObject({ ...base, v: 2, fea: 'o:reports', o: { id: 'org', per: 'read', fpm: 'x,1' } });
    expect(odd.orgPermissions).toEqual([]);
  });

  it('answers has() for features and plans by scope', () => {
    expect(auth.has({ feature: 'reports' })).toBe(true);
    expect(auth.has({ feature: 'org:reports' })).toBe(true);
    expect(auth.has({ feature: 'user:reports' })).toBe(false);
    expect(auth.has({ feature: 'user:dashboard' })).toBe(true);
    expect(auth.has({ plan: 'pro' })).toBe(true);
    expect(auth.has({ plan: 'user:pro' })).toBe(false);
    expect(auth.has({ plan: 'team:pro' })).toBe(false);
  });

  it('requires every check in one has() call', () => {
    expect(auth.has({ role: 'org:admin', permission: 'org:billing:manage' })).toBe(true);
    expect(auth.has({ role: 'org:admin', permission: 'org:billing:read' })).toBe(false);
  });
});

describe('has() is fail-closed', () => {
  const auth = sessionAuthObject(base);
  it.each([
    [{}],
    [{ role: '' }],
    [{ role: 'org:admin' }],
    [{ permission: 'org:x:y' }],
    [{ unknown: 'x' } as never],
    [null as never],
    [{ role: 42 } as never],
    [{ feature: 'org:' }],
  ])('denies %j without an organization or valid input', (params) => {
    expect(auth.has(params)).toBe(false);
  });

  it('denies everything when signed out', () => {
    expect(signedOutAuthObject().has({ role: 'org:admin' })).toBe(false);
  });
});

describe('reverification from fva', () => {
  const at = (fva: [number, number]) => sessionAuthObject({ ...base, fva });
  it('applies the presets', () => {
    expect(at([5, -1]).has({ reverification: 'strict' })).toBe(true); // no second factor: first factor counts
    expect(at([5, 20]).has({ reverification: 'strict' })).toBe(false);
    expect(at([5, 5]).has({ reverification: 'strict_mfa' })).toBe(true);
    expect(at([50, 5]).has({ reverification: 'strict_mfa' })).toBe(false);
    expect(at([59, -1]).has({ reverification: 'moderate' })).toBe(true);
    expect(at([60, -1]).has({ reverification: 'moderate' })).toBe(false);
    expect(at([1000, -1]).has({ reverification: 'lax' })).toBe(true);
  });
  it('accepts explicit levels and refuses nonsense', () => {
    expect(at([5, -1]).has({ reverification: { level: 'first_factor', afterMinutes: 10 } })).toBe(true);
    expect(at([5, -1]).has({ reverification: { level: 'first_factor', afterMinutes: Number.NaN } })).toBe(false);
    expect(at([5, -1]).has({ reverification: 'bogus' as never })).toBe(false);
    expect(sessionAuthObject(base).has({ reverification: 'lax' })).toBe(false);
  });
});

describe('session claims', () => {
  it('maps actor, status, features, plans and factor age', () => {
    const auth = sessionAuthObject({ ...base, act: { sub: 'user_admin' }, fva: [1, 2], fea: 'u:a', pla: 'u:b' });
    expect(auth).toMatchObject({
      actor: { sub: 'user_admin' },
      sessionStatus: 'active',
      features: ['u:a'],
      plans: ['u:b'],
      factorVerificationAge: [1, 2],
    });
  });
});

describe("parity with Clerk's authorization (packages/shared/src/authorization.ts, jwtPayloadParser.ts)", () => {
  it('lets a legacy v1 org_role "admin" satisfy role org:admin and admin', () => {
    const auth = sessionAuthObject({ ...base, org_id: 'org_1', org_role: 'admin' });
    expect(auth.orgRole).toBe('admin');
    expect(auth.has({ role: 'org:admin' })).toBe(true);
    expect(auth.has({ role: 'admin' })).toBe(true);
    expect(auth.has({ role: 'org:member' })).toBe(false);
  });

  it('normalises a repeated org: prefix in a role or permission query, as Clerk does', () => {
    const auth = sessionAuthObject({
      ...base,
      org_id: 'org_1',
      org_role: 'org:admin',
      org_permissions: ['org:reports:read'],
    });
    expect(auth.has({ role: 'org:org:admin' })).toBe(true);
    expect(auth.has({ permission: 'org:org:reports:read' })).toBe(true);
    expect(auth.has({ role: 'org:org:member' })).toBe(false);
  });

  it.each([
    ['o:reports', true, false],
    ['org:reports', true, false],
    ['organization:reports', true, false],
    ['u:reports', false, true],
    ['user:reports', false, true],
    ['ou:reports', true, true],
    ['uo:reports', true, true],
    ['lol:reports', false, false],
    ['xo:reports', false, false],
    ['ux:reports', false, false],
  ])('reads the feature claim %s as organization %s, user %s', (fea, organization, user) => {
    const auth = sessionAuthObject({ ...base, v: 2, fea });
    expect(auth.has({ feature: 'org:reports' })).toBe(organization);
    expect(auth.has({ feature: 'user:reports' })).toBe(user);
    expect(auth.has({ feature: 'reports' })).toBe(organization || user);
  });

  it.each([
    ['o:reports', true],
    ['org:reports', true],
    ['organization:reports', true],
    ['u:reports', false],
    ['user:reports', false],
    ['reports', true],
    ['lol:reports', false],
    ['xo:reports', false],
    ['org:', false],
    [':reports', false],
  ])('answers has({ plan: %j }) = %s for an organization plan', (plan, expected) => {
    const auth = sessionAuthObject({ ...base, v: 2, pla: 'o:reports' });
    expect(auth.has({ plan })).toBe(expected);
  });

  it('grants nothing for a claim entry with an unknown scope (no fail-open to organization scope)', () => {
    const auth = sessionAuthObject({
      ...base,
      v: 2,
      fea: 'lol:reports',
      o: { id: 'org', rol: 'admin', per: 'read', fpm: '1' },
    });
    expect(auth.orgPermissions).toEqual([]);
    expect(auth.has({ feature: 'reports' })).toBe(false);
  });

  it('keeps the fpm bit mapping when per has an empty entry (read,,manage)', () => {
    // 4 = 0b100: the third per entry, "manage"; 2 = 0b010 is the empty entry and grants nothing.
    const auth = sessionAuthObject({
      ...base,
      v: 2,
      fea: 'o:reports',
      o: { id: 'org', per: 'read,,manage', fpm: '4' },
    });
    expect(auth.orgPermissions).toEqual(['org:reports:manage']);
    const empty = sessionAuthObject({
      ...base,
      v: 2,
      fea: 'o:reports',
      o: { id: 'org', per: 'read,,manage', fpm: '2' },
    });
    expect(empty.orgPermissions).toEqual([]);
  });

  it('keeps the feature-to-mask mapping when fpm has an empty entry', () => {
    const auth = sessionAuthObject({ ...base, v: 2, fea: 'o:a,o:b', o: { id: 'org', per: 'read', fpm: ',1' } });
    expect(auth.orgPermissions).toEqual(['org:b:read']);
  });

  it('accepts a fractional fva, as Clerk does', () => {
    const auth = sessionAuthObject({ ...base, fva: [9.5, -1] });
    expect(auth.factorVerificationAge).toEqual([9.5, -1]);
    expect(auth.has({ reverification: 'strict' })).toBe(true);
    expect(sessionAuthObject({ ...base, fva: [10.5, -1] }).has({ reverification: 'strict' })).toBe(false);
    expect(sessionAuthObject({ ...base, fva: [-0.5, -1] }).factorVerificationAge).toBe(null);
  });

  it('fails reverification when neither factor is enabled or afterMinutes is not positive', () => {
    expect(sessionAuthObject({ ...base, fva: [-1, -1] }).has({ reverification: 'lax' })).toBe(false);
    const auth = sessionAuthObject({ ...base, fva: [0, -1] });
    expect(auth.has({ reverification: { level: 'first_factor', afterMinutes: 0 } })).toBe(false);
    expect(auth.has({ reverification: { level: 'first_factor', afterMinutes: 1 } })).toBe(true);
  });
});
