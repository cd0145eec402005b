import { runCli } from './cli/run.js';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
// Sockets a peer left half-open must not keep a finished command alive.
process.exit(code);
