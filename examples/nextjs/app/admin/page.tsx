import { auth } from 'clerk-edge/next';

// Only organization admins get here: the middleware calls auth.protect({ role: 'org:admin' }).
export default async function AdminPage() {
  const { userId, orgId } = await auth();
  return (
    <main>
      <h1>Admin</h1>
      <p>
        <span id="user-id">{userId}</span> administers {orgId}.
      </p>
    </main>
  );
}
