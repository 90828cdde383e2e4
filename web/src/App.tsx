export function App() {
  return (
    <main style={{ font: '16px system-ui, sans-serif', margin: '2rem' }}>
      <h1>Relais</h1>
      <p>
        <a href="/docs">API documentation</a> · <a href="/dev/inbox">Dev inbox</a>
      </p>
    </main>
  );
}
