export default function Home() {
  return <p>clerk-edge compat</p>;
}
