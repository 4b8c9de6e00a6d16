import { currentUser } from 'clerk-edge/next';

// Protected by the middleware (/dashboard(.*)); the name comes from the Backend API.
export default async function ProfilePage() {
  const user = await currentUser();
  return (
    <main>
      <h1>Profile</h1>
      <p>
        Hello,{' '}
        <span id="user-name">{user ? [user.first_name, user.last_name].filter(Boolean).join(' ') : 'stranger'}</span>
      </p>
    </main>
  );
}
