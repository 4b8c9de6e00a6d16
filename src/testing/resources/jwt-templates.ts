// The jwtTemplates group.
import { clerkId } from '../ids.js';
import { type ResourceRouter, exists, invalid, listAnswer, missing, notFound, send } from './http.js';
import type { ResourceRequest } from './http.js';
import type { JwtTemplateRecord } from './store.js';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'EdDSA'];

/** The spec's `JWTTemplate` object. */
export function jwtTemplateJson(t: JwtTemplateRecord): Record<string, unknown> {
  return {
    object: 'jwt_template',
    id: t.id,
    name: t.name,
    claims: t.claims,
    lifetime: t.lifetime,
    allowed_clock_skew: t.allowedClockSkew,
    custom_signing_key: t.customSigningKey,
    signing_algorithm: t.signingAlgorithm,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

/** Applies the writable fields; a Response means one was invalid. */
function applyTemplate(
  req: ResourceRequest,
  templates: Iterable<JwtTemplateRecord>,
  t: JwtTemplateRecord,
): Response | undefined {
  const { name, claims, lifetime, allowed_clock_skew: skew, signing_algorithm: alg } = req.body;
  if (name !== undefined) {
    if (typeof name !== 'string' || name === '') return invalid(req.c, 'name', 'must be a non-empty string.');
    for (const other of templates)
      if (other.id !== t.id && other.name === name)
        return exists(req.c, 'name', 'A JWT template with this name already exists.');
    t.name = name;
  }
  if (claims !== undefined) {
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      return invalid(req.c, 'claims', 'must be an object.');
    t.claims = claims as Record<string, unknown>;
  }
  if (lifetime !== undefined && lifetime !== null) {
    if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 30 || lifetime > 315_360_000)
      return invalid(req.c, 'lifetime', 'must be an integer between 30 and 315360000.');
    t.lifetime = lifetime;
  }
  if (skew !== undefined && skew !== null) {
    if (typeof skew !== 'number' || !Number.isInteger(skew) || skew < 0 || skew > 300)
      return invalid(req.c, 'allowed_clock_skew', 'must be an integer between 0 and 300.');
    t.allowedClockSkew = skew;
  }
  if (typeof req.body.custom_signing_key === 'boolean') t.customSigningKey = req.body.custom_signing_key;
  if (alg !== undefined && alg !== null) {
    if (typeof alg !== 'string' || !ALGORITHMS.includes(alg))
      return invalid(req.c, 'signing_algorithm', `must be one of ${ALGORITHMS.join(', ')}.`);
    t.signingAlgorithm = alg;
  }
  return undefined;
}

/** Registers the jwtTemplates group on `router`. */
export function registerJwtTemplates(router: ResourceRouter): void {
  const { store, now } = router.deps;
  const templates = store.jwtTemplates;

  router.on('get', '/jwt_templates', (req) =>
    listAnswer(req, [...templates.values()], jwtTemplateJson, 'array-unless-paginated'),
  );
  router.on('post', '/jwt_templates', (req) => {
    if (typeof req.body.name !== 'string' || req.body.name === '') return missing(req.c, 'name');
    if (req.body.claims === undefined) return missing(req.c, 'claims');
    const at = now();
    const t: JwtTemplateRecord = {
      id: clerkId('jtmp'),
      name: '',
      claims: {},
      lifetime: 60,
      allowedClockSkew: 5,
      customSigningKey: false,
      signingAlgorithm: 'RS256',
      createdAt: at,
      updatedAt: at,
    };
    const rejected = applyTemplate(req, templates.values(), t);
    if (rejected) return rejected;
    templates.set(t.id, t);
    return send(req.c, jwtTemplateJson(t));
  });
  router.on('get', '/jwt_templates/{template_id}', (req) => {
    const t = templates.get(req.param('template_id'));
    return t ? send(req.c, jwtTemplateJson(t)) : notFound(req.c, 'JWT template');
  });
  router.on('patch', '/jwt_templates/{template_id}', (req) => {
    const t = templates.get(req.param('template_id'));
    if (!t) return notFound(req.c, 'JWT template');
    const rejected = applyTemplate(req, templates.values(), t);
    if (rejected) return rejected;
    t.updatedAt = now();
    return send(req.c, jwtTemplateJson(t));
  });
  router.on('delete', '/jwt_templates/{template_id}', (req) => {
    const t = templates.get(req.param('template_id'));
    if (!t) return notFound(req.c, 'JWT template');
    templates.delete(t.id);
    return send(req.c, { object: 'jwt_template', id: t.id, deleted: true });
  });
}
