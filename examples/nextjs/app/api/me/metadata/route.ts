import { auth, clerkClient } from 'clerk-edge/next';

// Merges the JSON body into the signed-in user's public metadata (PATCH /users/{user_id}/metadata).
export async function POST(request: Request) {
  const { userId } = await auth();
  if (!userId) return Response.json({ error: 'unauthorized' }, { status: 401 });
  const body: unknown = await request.json().catch(() => null);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return Response.json({ error: 'expected a JSON object' }, { status: 400 });
  }
  const client = await clerkClient();
  const user = await client.users.updateMetadata({
    path: { user_id: userId },
    body: { public_metadata: body as Record<string, unknown> },
  });
  return Response.json({ publicMetadata: user.public_metadata });
}
