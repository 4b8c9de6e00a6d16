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
    // Every request but Next.js's own build assets and image optimizer, and the favicon. Do not
    // skip by file extension (`.*\\.(?:png|txt|…)$`): `/admin/report.txt` may be a dynamic page
    // that then renders without the middleware. Public files go through it too; that is cheap.
    '/((?!_next/static/|_next/image$|favicon\\.ico$).*)',
  ],
};
