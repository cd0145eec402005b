# The libtorrent set-up both benchmark peers share: TCP only on 127.0.0.1 (uTP, DHT, LSD, UPnP,
# NAT-PMP off), several connections per IP allowed, no alerts; torrents added started, not queued.
import libtorrent as lt


def loopback_session():
    return lt.session({
        'listen_interfaces': '127.0.0.1:0',
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        'enable_outgoing_utp': False, 'enable_incoming_utp': False,
        'allow_multiple_connections_per_ip': True,
        'alert_mask': 0,
    })


def add_started(ses, torrent, save_path, seed_mode=False):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    if seed_mode:
        params.flags |= lt.torrent_flags.seed_mode
    params.flags &= ~lt.torrent_flags.auto_managed
    params.flags &= ~lt.torrent_flags.paused
    return ses.add_torrent(params)
