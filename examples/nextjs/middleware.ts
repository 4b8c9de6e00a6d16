// Clerk authentication for every page and API route. This file runs on the edge runtime.
// `npm run use:proxy` renames it to proxy.ts, which Next 16 runs on Node instead; the code is
// the same under either name (`npm run use:middleware` switches back).
import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/next';

const isAdminRoute = createRouteMatcher(['/admin(.*)', '/api/admin(.*)']);
const isProtectedRoute = createRouteMatcher(['/dashboard(.*)', '/api/me(.*)']);

export default clerkMiddleware(async (auth, request) => {
  if (isAdminRoute(request)) await auth.protect({ role: 'org:admin' });
  else if (isProtectedRoute(request)) await auth.protect();
});

export const config = {
  matcher: [
    // Everything but Next.js internals and static files...
    '/((?!_next/|favicon\\.ico$|.*\\.(?:css|js|map|png|jpe?g|gif|svg|webp|ico|woff2?|ttf|txt)$).*)',
    // ...and every API route, whatever it ends with.
    '/(api|trpc)(.*)',
  ],
};
