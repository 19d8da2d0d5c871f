// Parses byte sizes such as `1GiB`, `50MB` or `1048576` for the CLI and config file.

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** A non-negative integer number of bytes; throws on anything else so a typo never means "0". */
export function parseByteSize(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new Error(`invalid byte size: ${value}`);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined)
    throw new Error(`invalid byte size: ${JSON.stringify(value)} (use e.g. 1048576, 50MB, 1GiB)`);
  const bytes = Math.round(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new Error(`byte size too large: ${value}`);
  return bytes;
}
