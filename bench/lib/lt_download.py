# A libtorrent downloader for the download benchmark: the same TCP-only loopback settings as the
# seeder, one peer added by hand. libtorrent checks every piece's SHA-1 before it counts it, so
# "is_seeding" means every piece verified. Prints {"done": true} on completion, then exits.
# Usage: /usr/bin/python3 lt_download.py TORRENT OUT_DIR PEER_PORT
import json, sys, time
from lt_loopback import add_started, loopback_session

torrent, out_dir, peer_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
ses = loopback_session()
handle = add_started(ses, torrent, out_dir)
handle.connect_peer(('127.0.0.1', peer_port))
deadline = time.monotonic() + 600
while True:
    st = handle.status()
    if st.is_seeding:
        break
    if time.monotonic() > deadline:
        print(json.dumps({'done': False, 'error': 'timed out', 'progress': st.progress}), flush=True)
        sys.exit(1)
    time.sleep(0.01)
print(json.dumps({'done': True, 'downloaded': st.total_payload_download, 'failed': st.total_failed_bytes}), flush=True)
# Let the disk threads finish writing before the process goes (its storage is mmap'ed).
ses.pause()
del handle
del ses
