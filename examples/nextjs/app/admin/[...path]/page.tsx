import { auth } from 'clerk-edge/next';

// Every path under /admin, whatever it looks like (/admin/report.txt, /admin/logo.png): the
// middleware's matcher must run for all of them, or this page would render unprotected.
export default async function AdminSubPage({ params }: { params: Promise<{ path: string[] }> }) {
  const [{ path }, { userId }] = await Promise.all([params, auth()]);
  return (
    <main>
      <h1>Admin</h1>
      <p>
        <span id="user-id">{userId}</span> opened {path.join('/')}.
      </p>
    </main>
  );
}
