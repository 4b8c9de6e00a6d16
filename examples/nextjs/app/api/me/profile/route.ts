import { currentUser } from 'clerk-edge/next';

// Protected by the middleware (/api/me(.*)). currentUser() costs one Backend API call per request,
// however often it is called: the second call here is answered from the first.
export async function GET() {
  const user = await currentUser();
  if (!user) return Response.json({ error: 'unauthorized' }, { status: 401 });
  const again = await currentUser();
  return Response.json({
    name: [user.first_name, user.last_name].filter(Boolean).join(' '),
    publicMetadata: user.public_metadata,
    sameObject: again === user,
  });
}
