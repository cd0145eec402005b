// CPU time of the processes a browser bench run uses, read from /proc (Linux): user + system seconds of
// each process alive at either snapshot, grouped by role (Chromium's renderers, its network service, its
// browser and GPU processes; the seeder and the sidecar by their command line). On two shared cores a
// data channel is CPU-bound, so CPU per MiB says where a download's time goes when the wall clock cannot.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux.

function roleOf(cmdline) {
  if (cmdline.includes('chromium')) {
    if (cmdline.includes('--type=renderer')) return 'renderer';
    if (cmdline.includes('NetworkService')) return 'network';
    if (cmdline.includes('--type=gpu-process')) return 'gpu';
    if (!cmdline.includes('--type=')) return 'browser';
    return 'chromium other';
  }
  if (cmdline.includes('wt-browser-seed') || cmdline.includes('node-raw-sender') || cmdline.includes('lt_seed')) return 'seeder';
  if (cmdline.includes('sluice.js')) return 'sidecar';
  return null;
}

/**
 * The CPU ticks now of every process below this one (the bench's browser, seeders and sidecar; not
 * another job's browser on the same machine), by pid, with its role.
 */
export function cpuSnapshot() {
  const all = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Fields after the command's closing parenthesis: ppid is the 2nd, utime and stime the 12th and 13th.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      all.set(name, { ppid: fields[1], ticks: Number(fields[11]) + Number(fields[12]), cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // Gone between the listing and the read.
    }
  }
  const mine = (pid, depth = 0) => depth < 12 && pid !== undefined && (pid === String(process.pid) || mine(all.get(pid)?.ppid, depth + 1));
  const out = new Map();
  for (const [pid, p] of all) {
    const role = roleOf(p.cmdline);
    if (role && mine(p.ppid)) out.set(pid, { role, ticks: p.ticks, threads: threadTicks(pid) });
  }
  return out;
}

/** CPU ticks of each thread of a process, by thread name (Chromium names its threads: DedicatedWorker thread, CrRendererMain, WebRTC_Network…). */
function threadTicks(pid) {
  const byName = {};
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    // The process exited while its threads were read.
  }
  return byName;
}

/** CPU seconds by thread name of the processes of `role` between two snapshots; threads that exited meanwhile are lost. */
export function threadSeconds(before, after, role) {
  const byName = {};
  for (const [pid, p] of after) {
    if (p.role !== role) continue;
    const start = before.get(pid)?.threads ?? {};
    for (const [name, ticks] of Object.entries(p.threads)) byName[name] = (byName[name] ?? 0) + (ticks - (start[name] ?? 0)) / TICKS_PER_S;
  }
  return byName;
}

/**
 * CPU seconds by role between two snapshots. A process seen only in `after` counts from zero; one that
 * exited before `after` is lost with what it used since `before` (read the seeder before stopping it).
 */
export function cpuSeconds(before, after) {
  const byRole = {};
  for (const [pid, { role, ticks }] of after) {
    const start = before.get(pid)?.ticks ?? 0;
    byRole[role] = (byRole[role] ?? 0) + (ticks - start) / TICKS_PER_S;
  }
  return byRole;
}
