import { auth } from 'clerk-edge/next';

// Guarded by role in the middleware: auth.protect({ role: 'org:admin' }).
export async function GET() {
  const { userId, orgId, orgRole } = await auth();
  return Response.json({ userId, orgId, orgRole, admin: true });
}
