import { constants, createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import type { ImageFile, ImageFiles } from '../../core/ports/image-files.ts';

/** How long a resolved path is trusted before it is resolved again (ms). */
const RESOLVE_TTL_MS = 1000;
const RESOLVE_CACHE_MAX = 10_000;

/**
 * Image files below one root folder (IMAGE_DIR/catalog), served read-only.
 * A path is only served when, after resolving `..` and every symlink, it is a
 * regular file strictly inside the root. The final component is opened with
 * O_NOFOLLOW, so a symlink swapped in later is not followed.
 *
 * Resolving a path costs one syscall per path component; the answer is kept for
 * a second (as nginx's open_file_cache does), which makes a 304 revalidation one
 * `stat` instead of a dozen calls.
 */
export class ImageDirectory implements ImageFiles {
  readonly #root: string;
  #realRoot: string | undefined;
  readonly #resolved = new Map<string, { real: string; until: number }>();

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async #realPath(candidate: string): Promise<string | null> {
    const now = Date.now();
    const cached = this.#resolved.get(candidate);
    if (cached && cached.until > now) return cached.real;
    let real: string;
    try {
      this.#realRoot ??= await realpath(this.#root);
      real = await realpath(candidate);
    } catch {
      return null;
    }
    if (!real.startsWith(this.#realRoot + sep)) return null;
    if (this.#resolved.size >= RESOLVE_CACHE_MAX) this.#resolved.clear();
    this.#resolved.set(candidate, { real, until: now + RESOLVE_TTL_MS });
    return real;
  }

  async find(relativePath: string): Promise<ImageFile | null> {
    if (relativePath === '' || relativePath.includes('\0') || isAbsolute(relativePath)) return null;
    const candidate = resolve(this.#root, relativePath);
    if (!candidate.startsWith(this.#root + sep)) return null;
    const real = await this.#realPath(candidate);
    if (real === null) return null;
    let info;
    try {
      info = await stat(real);
    } catch {
      this.#resolved.delete(candidate);
      return null;
    }
    if (!info.isFile()) return null;
    return {
      size: info.size,
      mtimeMs: info.mtimeMs,
      // Numeric flags are valid for fs.open; the typings only list the string forms.
      open: () => createReadStream(real, { flags: (constants.O_RDONLY | constants.O_NOFOLLOW) as unknown as string }),
    };
  }
}
