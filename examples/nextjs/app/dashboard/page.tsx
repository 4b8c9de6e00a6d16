import { auth } from 'clerk-edge/next';

// Protected by the middleware (auth.protect()); the page reads the verdict it forwarded.
export default async function DashboardPage() {
  const { userId, orgId, orgRole } = await auth();
  return (
    <main>
      <h1>Dashboard</h1>
      <p>
        Signed in as <span id="user-id">{userId}</span>
      </p>
      <p>
        Organization: {orgId ?? 'none'} ({orgRole ?? 'no role'})
      </p>
    </main>
  );
}
