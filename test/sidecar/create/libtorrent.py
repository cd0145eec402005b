# Loads a .torrent in libtorrent, prints its info hashes, then checks the data against it:
# add to a session at save_path, force_recheck, wait (bounded) until seeding with progress 1.0.
# Optionally also lets libtorrent create a torrent of the same files and prints its hashes.
import json, sys, time
import libtorrent as lt

torrent_path, save_path, own_path, own_piece_length = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
verify = sys.argv[5] == 'verify'

def hashes(ti):
    ih = ti.info_hashes()
    return {
        'v1': str(ih.v1) if ih.has_v1() else None,
        'v2': str(ih.v2) if ih.has_v2() else None,
    }

out = {}
ti = lt.torrent_info(torrent_path)
out['loaded'] = hashes(ti)
out['num_pieces'] = ti.num_pieces()
out['files'] = [[ti.files().file_path(i), ti.files().file_size(i), bool(ti.files().file_flags(i) & lt.file_storage.flag_pad_file)] for i in range(ti.num_files())]

if own_path != '-':
    fs = lt.file_storage()
    lt.add_files(fs, own_path)
    flags = lt.create_torrent.v1_only if own_piece_length < 0 else 0
    ct = lt.create_torrent(fs, abs(own_piece_length), flags=flags)
    import os
    lt.set_piece_hashes(ct, os.path.dirname(own_path))
    out['libtorrent_created'] = hashes(lt.torrent_info(lt.bencode(ct.generate())))

if not verify:
    print(json.dumps(out))
    sys.exit(0)

ses = lt.session({
    'listen_interfaces': '127.0.0.1:0',
    'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'alert_mask': lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
})
params = lt.add_torrent_params()
params.ti = ti
params.save_path = save_path
handle = ses.add_torrent(params)

def wait_for_checked(seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        ses.wait_for_alert(100)
        for a in ses.pop_alerts():
            if isinstance(a, lt.torrent_checked_alert):
                return True
    return False

out['initial_check'] = wait_for_checked(30)
handle.force_recheck()
out['recheck'] = wait_for_checked(30)
deadline = time.time() + 2
status = handle.status()
while time.time() < deadline:
    status = handle.status()
    # After torrent_checked_alert the state settles: seeding when every piece passed, else downloading.
    if status.state not in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data, lt.torrent_status.allocating):
        if status.state == lt.torrent_status.seeding or status.progress < 1.0:
            break
    time.sleep(0.05)
out['state'] = str(status.state)
out['progress'] = status.progress
out['num_have'] = status.num_pieces
print(json.dumps(out))
