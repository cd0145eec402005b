# Runs a command and reports what it cost: CPU seconds (user + system, from wait4's rusage, so it
# counts every thread of the process and any children it reaped), peak RSS (ru_maxrss: the kernel's
# high-water mark, the same figure as VmHWM in /proc/<pid>/status), and, sampled every 50 ms from
# /proc/<pid>/status, the peak of RssAnon (heap, not file-backed pages: libtorrent mmaps its files,
# so its VmHWM includes the page cache of the torrent data).
# stdin/stdout/stderr pass through. Writes the figures as JSON to RESULT_PATH.
# Usage: /usr/bin/python3 measure.py RESULT_PATH CMD ARGS...
import json, os, signal, subprocess, sys, threading, time

result_path, cmd = sys.argv[1], sys.argv[2:]
start = time.monotonic()
child = subprocess.Popen(cmd)
for sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(sig, lambda s, f: child.send_signal(s))
peak = {'anon': 0, 'hwm': 0}
stop = threading.Event()

def sample():
    path = f'/proc/{child.pid}/status'
    while not stop.is_set():
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith('RssAnon:'):
                        peak['anon'] = max(peak['anon'], int(line.split()[1]))
                    elif line.startswith('VmHWM:'):
                        peak['hwm'] = max(peak['hwm'], int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        stop.wait(0.05)

threading.Thread(target=sample, daemon=True).start()
_, status, ru = os.wait4(child.pid, 0)
stop.set()
child.returncode = os.waitstatus_to_exitcode(status)
with open(result_path, 'w') as f:
    json.dump({
        'exitCode': child.returncode,
        'seconds': time.monotonic() - start,
        'cpu': ru.ru_utime + ru.ru_stime,
        'user': ru.ru_utime,
        'system': ru.ru_stime,
        'maxRssKiB': ru.ru_maxrss,
        'sampledHwmKiB': peak['hwm'],
        'peakAnonKiB': peak['anon'],
    }, f)
sys.exit(child.returncode if child.returncode >= 0 else 128 - child.returncode)
