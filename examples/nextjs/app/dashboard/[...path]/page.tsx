import { auth } from 'clerk-edge/next';

// Every path under /dashboard (/dashboard/export.csv, /dashboard/.well-known/x.json): protected
// like /dashboard itself, because the middleware's matcher skips only Next's own assets.
export default async function DashboardSubPage({ params }: { params: Promise<{ path: string[] }> }) {
  const [{ path }, { userId }] = await Promise.all([params, auth()]);
  return (
    <main>
      <h1>Dashboard</h1>
      <p>
        Signed in as <span id="user-id">{userId}</span>, viewing {path.join('/')}
      </p>
    </main>
  );
}
