import { auth } from 'clerk-edge/next';

// A token from the instance's JWT template, e.g. /api/me/token/supabase: minted once per session
// and template, then reused until shortly before it expires.
export async function GET(_request: Request, { params }: { params: Promise<{ template: string }> }) {
  const session = await auth();
  if (!session.userId) return Response.json({ error: 'unauthorized' }, { status: 401 });
  const { template } = await params;
  return Response.json({ token: await session.getToken({ template }) });
}
