import { constants, createReadStream } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import type { ImageFile, ImageFiles } from '../../core/ports/image-files.ts';

/**
 * Image files below one root folder (IMAGE_DIR/catalog), served read-only.
 * A path is only served when, after resolving `..` and every symlink, it is a
 * regular file strictly inside the root. The file is opened once (no
 * check-then-open race) and streamed from that descriptor.
 */
export class ImageDirectory implements ImageFiles {
  readonly #root: string;
  #realRoot: string | undefined;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async find(relativePath: string): Promise<ImageFile | null> {
    if (relativePath === '' || relativePath.includes('\0') || isAbsolute(relativePath)) return null;
    const candidate = resolve(this.#root, relativePath);
    if (!candidate.startsWith(this.#root + sep)) return null;
    let real: string;
    try {
      this.#realRoot ??= await realpath(this.#root);
      real = await realpath(candidate);
    } catch {
      return null;
    }
    if (!real.startsWith(this.#realRoot + sep)) return null;
    let handle;
    try {
      handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return null;
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      return null;
    }
    let used = false;
    return {
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      open() {
        used = true;
        return createReadStream('', { fd: handle, autoClose: true });
      },
      close() {
        if (!used) void handle.close();
      },
    };
  }
}
