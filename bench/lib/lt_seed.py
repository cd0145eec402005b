# A libtorrent seeder for the download benchmark: seed_mode over existing data (no hashing at start),
# TCP only on 127.0.0.1 (uTP, DHT, LSD, UPnP, NAT-PMP off), several connections per IP allowed.
# Prints {"port": N} once listening; seeds until stdin closes, then prints its own CPU seconds.
# Usage: /usr/bin/python3 lt_seed.py TORRENT DATA_DIR
import json, resource, sys, threading, time
import libtorrent as lt

torrent, data_dir = sys.argv[1], sys.argv[2]
ses = lt.session({
    'listen_interfaces': '127.0.0.1:0',
    'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'enable_outgoing_utp': False, 'enable_incoming_utp': False,
    'allow_multiple_connections_per_ip': True,
    'alert_mask': 0,
})
params = lt.add_torrent_params()
params.ti = lt.torrent_info(torrent)
params.save_path = data_dir
params.flags |= lt.torrent_flags.seed_mode
params.flags &= ~lt.torrent_flags.auto_managed
params.flags &= ~lt.torrent_flags.paused
handle = ses.add_torrent(params)
while ses.listen_port() == 0:
    time.sleep(0.01)
print(json.dumps({'port': ses.listen_port()}), flush=True)

done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
done.wait()
st = handle.status()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({'uploaded': st.total_payload_upload, 'cpu': ru.ru_utime + ru.ru_stime}), flush=True)
