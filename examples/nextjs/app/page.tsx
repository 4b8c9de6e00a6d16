import { auth } from 'clerk-edge/next';

// Public: the middleware runs here but does not protect it; auth() still tells who is signed in.
export default async function HomePage() {
  const { userId } = await auth();
  return (
    <main>
      <h1>Public page</h1>
      <p id="status">{userId ? `Signed in as ${userId}` : 'Signed out'}</p>
    </main>
  );
}
