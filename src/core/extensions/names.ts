/** The BEP 10 names of the extensions Sluice speaks, as they appear in the extended handshake's `m` map. */
export const UT_METADATA = 'ut_metadata';
export const UT_PEX = 'ut_pex';
export const LT_DONTHAVE = 'lt_donthave';

export type ExtensionName = typeof UT_METADATA | typeof UT_PEX | typeof LT_DONTHAVE;

/**
 * The ids we ask peers to use when they send us each extension's messages (BEP 10 `m` map). An absent entry
 * means we do not offer that extension (e.g. ut_pex for a private torrent, BEP 27).
 */
export interface LocalExtensionIds {
  readonly ut_metadata?: number;
  readonly ut_pex?: number;
  readonly lt_donthave?: number;
}

/** The ids libtorrent uses; any distinct values in 1..255 work. */
export const DEFAULT_LOCAL_EXTENSIONS: LocalExtensionIds = { ut_pex: 1, ut_metadata: 2, lt_donthave: 7 };
