import { auth } from 'clerk-edge/next';

// Public: reports whatever auth() says, signed in or not.
export async function GET() {
  const { userId, isAuthenticated, tokenType } = await auth();
  return Response.json({ userId, isAuthenticated, tokenType });
}
