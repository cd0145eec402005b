/** Sluice's version, used in `created by` (`Sluice/<version>`) and the client's peer id. */
export const SLUICE_VERSION = '0.1.0';
