import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/next';

const isProtectedRoute = createRouteMatcher(['/api/me(.*)']);

export default clerkMiddleware(async (auth, request) => {
  if (isProtectedRoute(request)) await auth.protect();
});

export const config = { matcher: ['/((?!_next/static|_next/image|favicon\\.ico).*)'] };
