export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '3rem auto', padding: '0 1rem' }}>
      <h1>Sluice</h1>
      <p>Stream and share torrents, right in your browser.</p>
      <p>
        The in-browser engine is on its way. Until then, the <code>sluice</code> command-line sidecar downloads and seeds
        torrents in both the classic and the WebTorrent swarm, and this server runs a tracker at <code>/announce</code>.
      </p>
    </main>
  );
}
