import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** A file that cannot be used as input; the message names why, the caller names the file and field. */
export class InputFileError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}

const WHY: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENOTDIR: 'a part of the path is not a folder',
  ENAMETOOLONG: 'the path is too long',
};

export function describeFileError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && WHY[code]) ?? `cannot read (${code ?? (err as Error).message})`;
}

/** What kind of file this is, for "is not a regular file (…)". */
export function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MiB` : `${bytes / 2 ** 10} KiB`;
}

/**
 * Reads a UTF-8 text file that must be a regular file of at most `maxBytes`, in bounded time and
 * memory: a device (`/dev/zero`, `/dev/urandom`), a FIFO or a socket is refused without reading
 * (the open does not block on a FIFO), a file over the cap is refused from its size — and, where the
 * size is not known in advance (`/proc`), after `maxBytes + 1` bytes. Binary content (a NUL byte,
 * invalid UTF-8) is refused too, unless `lenient` (a log whose last line a crash may have mangled:
 * decoded with replacement characters). Every refusal is an {@link InputFileError} naming the cause.
 */
export function readTextFile(path: string, maxBytes: number, opts: { lenient?: boolean } = {}): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw new InputFileError(describeFileError(err), (err as NodeJS.ErrnoException).code);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InputFileError(`is ${fileKind(stat)}, not a regular file`, stat.isDirectory() ? 'EISDIR' : 'ENOTREG');
    if (stat.size > maxBytes) throw new InputFileError(`is ${stat.size} bytes, larger than the ${formatBytes(maxBytes)} allowed`, 'EFBIG');
    // One byte more than allowed tells an over-long file (whose size was not known) from a full one.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, stat.size > 0 ? stat.size + 1 : maxBytes + 1));
    let length = 0;
    while (length < buffer.length) {
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (err) {
        throw new InputFileError(describeFileError(err), (err as NodeJS.ErrnoException).code);
      }
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw new InputFileError(`is larger than the ${formatBytes(maxBytes)} allowed`, 'EFBIG');
    const bytes = buffer.subarray(0, length);
    if (opts.lenient) return bytes.toString('utf8');
    if (bytes.includes(0)) throw new InputFileError('is binary (it contains NUL bytes), not text', 'EBINARY');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new InputFileError('is not UTF-8 text', 'EBINARY');
    }
  } finally {
    closeSync(fd);
  }
}
