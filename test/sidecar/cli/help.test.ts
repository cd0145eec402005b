import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/core/engine/session.js';
import { DEFAULT_ICE_SERVERS } from '../../../src/core/ports/rtc.js';
import { parseArgs } from '../../../sidecar/src/cli/args.js';
import { commandSpec } from '../../../sidecar/src/cli/command-specs.js';
import { sluice } from '../../helpers/cli.js';

const SWARM = ['no-dht', 'dht-bootstrap', 'no-lsd', 'no-webrtc', 'no-tcp', 'webrtc-host', 'stun', 'no-stun', 'encryption', 'download-limit', 'upload-limit', 'max-peers'];
/** Every option each command took before the option tables, with its one-letter alias, and the new ones. */
const OPTIONS: Record<string, string[]> = {
  info: ['json'],
  create: ['-o output', '-a announce', '-w webseed', 'piece-length', 'private', '-c comment', 'hybrid', '-f force', 'json'],
  download: ['-o out', 'peer', '-t tracker', ...SWARM, 'select', 'seed', 'sequential', '-p port', 'state', 'json', 'log', '-v verbose'],
  seed: ['-d data', '-p port', '-t tracker', 'peer', ...SWARM, 'state', 'json', 'log', '-v verbose'],
  serve: ['-p port', 'host', 'app', '-o out', 'state', 'token', 'allow-origin', 'cert', 'key', 'no-bridge', 'peer-port', ...SWARM, 'json', 'log', '-v verbose'],
  tracker: ['-p port', 'host', 'json'],
};

describe('sluice <command> --help', () => {
  for (const [command, options] of Object.entries(OPTIONS)) {
    it(`${command}: a synopsis, every option on a line of its own with what it does and its default, and examples`, () => {
      const r = sluice([command, '--help']);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      const lines = r.stdout.split('\n');
      expect(lines[0]).toMatch(new RegExp(`^sluice ${command} — \\S`));
      expect(r.stdout).toContain(`Usage:\n  sluice ${command}`);
      for (const option of options) {
        const [short, name] = option.includes(' ') ? option.split(' ') : [undefined, option];
        const line = lines.find((l) => new RegExp(`^  (-\\w, |    )--${name}( [A-Z][A-Z:,-]*)?  `).test(l));
        expect(line, `--${name} in\n${r.stdout}`).toBeDefined();
        expect(line).toMatch(short ? new RegExp(`^  ${short}, --${name}\\b`) : /^ {6}--/);
        // What it does, then its default.
        expect(line).toMatch(/ {2}[a-zA-Z].* \(default: [^)]+\)$/);
        // In the synopsis too, as git prints it.
        expect(r.stdout.slice(0, r.stdout.indexOf('Options:'))).toContain(`[--${name}`);
      }
      const examples = r.stdout.slice(r.stdout.indexOf('\nExamples:\n'));
      expect(examples.split('\n').filter((l) => l.startsWith(`  sluice ${command}`)).length).toBeGreaterThanOrEqual(2);
      // `sluice help <command>` and `-h` say the same.
      expect(sluice(['help', command]).stdout).toBe(r.stdout);
      expect(sluice([command, '-h']).stdout).toBe(r.stdout);
    });
  }

  it("serve's --token may be given once per person, NAME=T, and says what that does", () => {
    const r = sluice(['serve', '--help']);
    expect(r.stdout.slice(0, r.stdout.indexOf('Options:'))).toContain('[--token T]...');
    expect(r.stdout.split('\n').find((l) => l.startsWith('      --token T '))).toMatch(
      /--token T +the token browsers need for the bridge \(\/bridge\?token=T\); NAME=T, given once per person, gives each their own torrents and <out>\/NAME \(default: none on loopback; a random one otherwise\)$/,
    );
    expect(r.stdout).toContain('  sluice serve --host 0.0.0.0 --token ann=S3cretAnn1 --token bo=S3cretBo22\n');
  });

  it('sluice --help lists the commands, one line each', () => {
    const r = sluice(['--help']);
    expect(r.status).toBe(0);
    for (const command of Object.keys(OPTIONS)) expect(r.stdout).toMatch(new RegExp(`^  ${command} +\\S.*$`, 'm'));
    expect(r.stdout).not.toContain('--no-lsd');
  });

  it('states the defaults the engine really uses', () => {
    const download = commandSpec('download').options;
    const byName = (name: string) => download.find((o) => o.name === name)!.default;
    expect(byName('max-peers')).toBe(String(DEFAULT_SETTINGS.maxConnectionsPerTorrent));
    expect(byName('encryption')).toBe(DEFAULT_SETTINGS.encryption);
    expect(byName('download-limit')).toBe(String(DEFAULT_SETTINGS.downloadRateLimit));
    expect(byName('upload-limit')).toBe(String(DEFAULT_SETTINGS.uploadRateLimit));
    expect(byName('stun')).toBe(DEFAULT_ICE_SERVERS.map((s) => s.urls).join(', '));
  });
});

describe('mistakes on the command line: one line, status 2', () => {
  const HASH = '0123456789abcdef0123456789abcdef01234567';
  const cases: [string, string[], string][] = [
    ['a mistyped option names the nearest real one', ['download', HASH, '--uplaod-limit', '1M'], "sluice: unknown option '--uplaod-limit'; did you mean --upload-limit?"],
    ['a typo in seed', ['seed', '.', '--tarcker', 'http://t/a'], "sluice: unknown option '--tarcker'; did you mean --tracker?"],
    ['a typo in create', ['create', '.', '--anounce', 'http://t/a'], "sluice: unknown option '--anounce'; did you mean --announce?"],
    ['a typo in serve', ['serve', '--prot', '1'], "sluice: unknown option '--prot'; did you mean --port?"],
    ['the start of an option', ['download', HASH, '--verb'], "sluice: unknown option '--verb'; did you mean --verbose?"],
    ['an option like none of them', ['download', HASH, '--frobnicate'], "sluice: unknown option '--frobnicate' (see sluice download --help)"],
    ['an unknown one-letter option', ['info', 'x.torrent', '-x'], "sluice: unknown option '-x' (see sluice info --help)"],
    ['a mistyped command', ['donwload', HASH], "sluice: unknown command 'donwload'; did you mean download? (see sluice --help)"],
    ['help on a command that does not exist', ['help', 'sede'], "sluice: unknown command 'sede'; did you mean seed? (see sluice --help)"],
    ['a value given to a switch', ['download', HASH, '--json=yes'], "sluice: option '--json' takes no value"],
    ['an option with no value', ['download', HASH, '--out'], "sluice: option '--out' needs a value"],
    ['a single-valued option given twice', ['download', HASH, '-o', 'a', '--out=b'], "sluice: option '--out' given twice"],
    ['a log file that cannot be opened', ['download', HASH, '--log', '/nonexistent-dir/x.log'], "sluice: cannot open log file '/nonexistent-dir/x.log': "],
  ];
  for (const [what, args, line] of cases) {
    it(what, () => {
      const r = sluice(args, { env: { SLUICE_STATE_DIR: '/tmp/sluice-never-used' } });
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.startsWith(line)).toBe(true);
      if (!line.endsWith(': ')) expect(r.stderr).toBe(`${line}\n`);
    });
  }
});

describe('the option tables parse as the hand-written parser did', () => {
  const options = commandSpec('download').options;
  it('takes aliases, --name=value, repeats in order, and everything after -- as operands', () => {
    const args = parseArgs(['x', '-o', 'dir', '--peer=a:1', '--peer', 'b:2', '-t', 'udp://t:1', '-p', '7', '--seed', '--', '--json'], options);
    expect(args.positionals).toEqual(['x', '--json']);
    expect(Object.fromEntries(args.flags)).toEqual({ out: ['dir'], peer: ['a:1', 'b:2'], tracker: ['udp://t:1'], port: ['7'], seed: true });
  });
  it('takes the next word as a value, even one that starts with a dash', () => {
    expect(Object.fromEntries(parseArgs(['--upload-limit', '-1', '--out', '--json'], options).flags)).toEqual({ 'upload-limit': ['-1'], out: ['--json'] });
  });
});
