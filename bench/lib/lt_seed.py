# A libtorrent seeder for the download benchmark: seed_mode over existing data (no hashing at start),
# TCP only on 127.0.0.1 (uTP, DHT, LSD, UPnP, NAT-PMP off), several connections per IP allowed.
# Prints {"port": N} once listening; seeds until stdin closes, then prints its own CPU seconds.
# Usage: /usr/bin/python3 lt_seed.py TORRENT DATA_DIR
import json, resource, sys, threading, time
from lt_loopback import add_started, loopback_session

torrent, data_dir = sys.argv[1], sys.argv[2]
ses = loopback_session()
handle = add_started(ses, torrent, data_dir, seed_mode=True)
while ses.listen_port() == 0:
    time.sleep(0.01)
print(json.dumps({'port': ses.listen_port()}), flush=True)

done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
done.wait()
st = handle.status()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({'uploaded': st.total_payload_upload, 'cpu': ru.ru_utime + ru.ru_stime}), flush=True)
