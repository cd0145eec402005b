/**
 * Azureus-style client codes (`-XX…-`): the two letters after the dash name the client; the
 * decoder reads the version the way that client writes it. Names follow what the clients call
 * themselves; codes and conventions were checked against libtorrent's fingerprint, WebTorrent's
 * index.js and Transmission's clients.cc.
 */
import {
  deluge,
  fourDigits,
  ktorrent,
  noVersion,
  picotorrent,
  threeDigits,
  transmission,
  twoMajorTwoMinor,
  utorrent,
  webtorrent,
} from './versions.js';
import type { VersionDecoder } from './versions.js';

export interface AzureusClient {
  readonly name: string;
  readonly version: VersionDecoder;
}

export const AZUREUS_CLIENTS: ReadonlyMap<string, AzureusClient> = new Map<string, AzureusClient>([
  ['AG', { name: 'Ares', version: fourDigits }],
  ['AR', { name: 'Arctic', version: fourDigits }],
  ['AT', { name: 'Artemis', version: fourDigits }],
  ['AX', { name: 'BitPump', version: twoMajorTwoMinor }],
  ['AZ', { name: 'Vuze', version: fourDigits }],
  ['BC', { name: 'BitComet', version: twoMajorTwoMinor }],
  ['BF', { name: 'BitFlu', version: noVersion }],
  ['BI', { name: 'BiglyBT', version: fourDigits }],
  ['BN', { name: 'Baidu Netdisk', version: noVersion }],
  ['BT', { name: 'BitTorrent', version: utorrent }],
  ['BW', { name: 'BitTorrent Web', version: threeDigits }],
  ['CD', { name: 'Enhanced CTorrent', version: twoMajorTwoMinor }],
  ['DE', { name: 'Deluge', version: deluge }],
  ['FD', { name: 'Free Download Manager', version: threeDigits }],
  ['FG', { name: 'FlashGet', version: twoMajorTwoMinor }],
  ['FW', { name: 'FrostWire', version: threeDigits }],
  ['HL', { name: 'Halite', version: threeDigits }],
  ['KG', { name: 'KGet', version: fourDigits }],
  ['KT', { name: 'KTorrent', version: ktorrent }],
  ['LP', { name: 'Lphant', version: twoMajorTwoMinor }],
  ['Lr', { name: 'LibreTorrent', version: threeDigits }],
  ['LT', { name: 'libtorrent (Rasterbar)', version: threeDigits }],
  ['LW', { name: 'LimeWire', version: noVersion }],
  ['lt', { name: 'libTorrent (Rakshasa)', version: threeDigits }],
  ['MO', { name: 'MonoTorrent', version: fourDigits }],
  ['PI', { name: 'PicoTorrent', version: picotorrent }],
  ['qB', { name: 'qBittorrent', version: threeDigits }],
  ['SD', { name: 'Thunder', version: fourDigits }],
  ['SL', { name: 'Sluice', version: threeDigits }],
  ['SP', { name: 'BitSpirit', version: threeDigits }],
  ['TR', { name: 'Transmission', version: transmission }],
  ['TT', { name: 'TuoTu', version: fourDigits }],
  ['UE', { name: 'µTorrent Embedded', version: utorrent }],
  ['UM', { name: 'µTorrent Mac', version: utorrent }],
  ['UT', { name: 'µTorrent', version: utorrent }],
  ['UW', { name: 'µTorrent Web', version: utorrent }],
  ['WD', { name: 'WebTorrent Desktop', version: webtorrent }],
  ['WS', { name: 'HTTP Seed', version: noVersion }],
  ['WW', { name: 'WebTorrent', version: webtorrent }],
  ['XL', { name: 'Xunlei', version: fourDigits }],
  ['ZO', { name: 'Zona', version: fourDigits }],
]);

/** Shad0w-style (`S58B-----`): the first letter names the client. */
export const SHADOW_CLIENTS: ReadonlyMap<string, string> = new Map([
  ['A', 'ABC'],
  ['O', 'Osprey'],
  ['Q', 'BTQueue'],
  ['R', 'Tribler'],
  ['S', 'Shad0w'],
  ['T', 'BitTornado'],
  ['U', 'UPnP NAT Bit Torrent'],
]);

/** Bram Cohen's mainline style (`M4-3-6--`), also used by Queen Bee. */
export const MAINLINE_CLIENTS: ReadonlyMap<string, string> = new Map([
  ['M', 'BitTorrent'],
  ['Q', 'Queen Bee'],
]);
