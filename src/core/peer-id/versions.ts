/**
 * Version decoders for peer ids, one per client convention. Each takes the peer id as a
 * "binary string" (one char per byte) at least 8 chars long and returns a version string, or null
 * when the id carries none. A digit that does not decode shows as `x`, as Transmission does.
 */
export type VersionDecoder = (id: string) => string | null;

/** libtorrent's digit: 0-9, then A-Z for 10-35 (and a-z for 36-61, as Transmission reads them). */
export function charDigit(ch: string | undefined): string {
  if (ch === undefined || ch.length === 0) return 'x';
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return String(c - 48);
  if (c >= 65 && c <= 90) return String(c - 55);
  if (c >= 97 && c <= 122) return String(c - 61);
  return 'x';
}

function decimal(text: string): number | null {
  return /^[0-9]+$/.test(text) ? Number(text) : null;
}

function hexDigit(ch: string | undefined): string {
  return ch !== undefined && /^[0-9a-fA-F]$/.test(ch) ? String(parseInt(ch, 16)) : 'x';
}

/** Transmission's and µTorrent's mnemonic for a build letter. */
function mnemonic(ch: string | undefined): string {
  switch (ch) {
    case 'b':
    case 'B':
      return ' (Beta)';
    case 'd':
      return ' (Debug)';
    case 'x':
    case 'X':
    case 'Z':
      return ' (Dev)';
    default:
      return '';
  }
}

/** `-XXabc?-` → a.b.c (libtorrent's fingerprint; the tag digit is almost always 0 and is dropped). */
export const threeDigits: VersionDecoder = (id) => `${charDigit(id[3])}.${charDigit(id[4])}.${charDigit(id[5])}`;

/** `-XXabcd-` → a.b.c.d (Azureus/Vuze, BiglyBT and many others). */
export const fourDigits: VersionDecoder = (id) =>
  `${charDigit(id[3])}.${charDigit(id[4])}.${charDigit(id[5])}.${charDigit(id[6])}`;

/** `-XXaabb-` → aa.bb with bb kept two digits wide (BitComet `-BC0241-` is 2.41). */
export const twoMajorTwoMinor: VersionDecoder = (id) => {
  const major = decimal(id.slice(3, 5));
  const minor = decimal(id.slice(5, 7));
  if (major === null || minor === null) return null;
  return `${major}.${String(minor).padStart(2, '0')}`;
};

export const noVersion: VersionDecoder = () => null;

/**
 * WebTorrent builds `-WW` + two decimal digits of major + two of minor from its semver (its
 * index.js: '0.16.1' → '0016', '3.0.21' → '0300'); the patch is not in the id.
 */
export const webtorrent: VersionDecoder = (id) => {
  const major = decimal(id.slice(3, 5));
  const minor = decimal(id.slice(5, 7));
  return major === null || minor === null ? null : `${major}.${minor}`;
};

/**
 * Transmission: `-TR0006-` is 0.6, `-TR0072-` 0.72, `-TR2940-` 2.94 (`Z`/`X` tag = dev build), and
 * from 4.0 on libtorrent-style digits: `-TR4050-` 4.0.5, `-TR400B-` 4.0.0 (Beta).
 */
export const transmission: VersionDecoder = (id) => {
  if (id.slice(3, 6) === '000') return `0.${id[6] ?? 'x'}`;
  if (id.slice(3, 5) === '00') {
    const minor = decimal(id.slice(5, 7));
    return minor === null ? null : `0.${String(minor).padStart(2, '0')}`;
  }
  const major = id[3] ?? '';
  if (major >= '0' && major <= '3') {
    const minor = decimal(id.slice(4, 6));
    return minor === null ? null : `${major}.${String(minor).padStart(2, '0')}${mnemonic(id[6])}`;
  }
  return `${charDigit(id[3])}.${charDigit(id[4])}.${charDigit(id[5])}${mnemonic(id[6])}`;
};

/**
 * µTorrent family: hex digits major.minor.patch and a build letter (`-UT355W-` is 3.5.5, `B` is a
 * beta). Longer versions replace the closing dash: `-UW1110Q` is 1.1.10.
 */
export const utorrent: VersionDecoder = (id) => {
  if (id[7] === '-') return `${hexDigit(id[3])}.${hexDigit(id[4])}.${hexDigit(id[5])}${mnemonic(id[6])}`;
  const patch = decimal(id.slice(5, 7));
  return `${hexDigit(id[3])}.${hexDigit(id[4])}.${patch ?? 'x'}${mnemonic(id[7])}`;
};

/**
 * Deluge 2 writes a release letter after three digits (`-DE211s-` 2.1.1 stable, `D` dev, `a`/`b`
 * alpha/beta, `r` release candidate); Deluge 1 wrote four libtorrent digits (`-DE13F0-` 1.3.15).
 */
export const deluge: VersionDecoder = (id) => {
  const base = threeDigits(id);
  switch (id[6]) {
    case 's':
      return base;
    case 'D':
      return `${base} (Dev)`;
    case 'a':
      return `${base} (Alpha)`;
    case 'b':
      return `${base} (Beta)`;
    case 'r':
      return `${base} (RC)`;
    case '0':
      return base;
    default:
      return fourDigits(id);
  }
};

/** KTorrent: `-KT4130-` 4.1.3, `-KT33D1-` 3.3 Dev 1, `-KT33R2-` 3.3 RC 2. */
export const ktorrent: VersionDecoder = (id) => {
  if (id[5] === 'D') return `${charDigit(id[3])}.${charDigit(id[4])} Dev ${charDigit(id[6])}`;
  if (id[5] === 'R') return `${charDigit(id[3])}.${charDigit(id[4])} RC ${charDigit(id[6])}`;
  return threeDigits(id);
};

/** PicoTorrent: `-PI0120-` is 0.12.0, `-PI0091-` 0.09.1 (the minor is two decimal digits). */
export const picotorrent: VersionDecoder = (id) => {
  const minor = decimal(id.slice(4, 6));
  return `${charDigit(id[3])}.${minor === null ? 'x' : String(minor).padStart(2, '0')}.${charDigit(id[6])}`;
};
