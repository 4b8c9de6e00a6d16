import { auth } from 'clerk-edge/next';

// Protected by the middleware; 401 here too in case the route is ever left out of its matcher.
export async function GET() {
  const { userId, sessionId, orgId, orgRole } = await auth();
  if (!userId) return Response.json({ error: 'unauthorized' }, { status: 401 });
  return Response.json({ userId, sessionId, orgId, orgRole });
}
