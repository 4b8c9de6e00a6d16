import type { ClerkErrorsJSON } from './types.js';

// Error bodies in the spec's ClerkErrors shape, with codes real Clerk uses.

export function clerkErrors(
  code: string,
  message: string,
  longMessage: string,
  meta?: Record<string, unknown>,
): ClerkErrorsJSON {
  return { errors: [{ message, long_message: longMessage, code, ...(meta ? { meta } : {}) }] };
}

export const authenticationInvalid = (
  longMessage = 'Unable to authenticate the request, you need to supply an active secret key.',
) => clerkErrors('authentication_invalid', 'Invalid authentication', longMessage);

export const resourceNotFound = (longMessage = 'The requested resource was not found.') =>
  clerkErrors('resource_not_found', 'not found', longMessage);

export const formParamMissing = (param: string) =>
  clerkErrors('form_param_missing', 'missing required parameter', `${param} must be included.`, { param_name: param });

export const formParamInvalid = (param: string, detail: string) =>
  clerkErrors('form_param_value_invalid', 'is invalid', `${param} ${detail}`, { param_name: param });

export const formParamUnknown = (param: string) =>
  clerkErrors('form_param_unknown', 'is unknown', `${param} is not a valid parameter for this request.`, {
    param_name: param,
  });

export const badRequest = (longMessage: string) => clerkErrors('bad_request', 'Bad Request', longMessage);

/** The body a status-only fault answers with when no body is given. */
export function defaultErrorBody(status: number): ClerkErrorsJSON {
  if (status === 401) return authenticationInvalid();
  if (status === 404) return resourceNotFound();
  if (status === 429) return clerkErrors('too_many_requests', 'Too many requests', 'Too many requests, retry later.');
  if (status >= 500) {
    return clerkErrors(
      'internal_clerk_error',
      'Oops, an unexpected error occurred',
      'There was an internal error on our servers.',
    );
  }
  return clerkErrors('bad_request', 'Bad Request', `Injected fault with status ${status}.`);
}
