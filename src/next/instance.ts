import type { ClerkAuth } from '../core/authenticate.js';
import { cookieSuffixFor } from '../core/credentials.js';

// One suffix computation per authenticator; it only depends on the publishable key.
const suffixes = new WeakMap<ClerkAuth, Promise<string | undefined>>();

/** The cookie suffix of an authenticator's instance (undefined without a publishable key). */
export function cookieSuffixOf(clerk: ClerkAuth): Promise<string | undefined> {
  let suffix = suffixes.get(clerk);
  if (!suffix) {
    const publishableKey = clerk.config.publishableKey;
    suffix = publishableKey ? cookieSuffixFor(publishableKey) : Promise.resolve(undefined);
    suffixes.set(clerk, suffix);
  }
  return suffix;
}
