// Where protected pages send signed-out visitors (NEXT_PUBLIC_CLERK_SIGN_IN_URL=/sign-in).
// A real app mounts Clerk's <SignIn /> here; this example only shows where you would return to.
export default async function SignInPage({ searchParams }: { searchParams: Promise<{ redirect_url?: string }> }) {
  const { redirect_url: returnTo } = await searchParams;
  return (
    <main>
      <h1>Sign in</h1>
      <p>Sign in with Clerk, then continue to {returnTo ?? '/'}.</p>
    </main>
  );
}
