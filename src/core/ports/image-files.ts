import type { Readable } from 'node:stream';

/** An image file ready to be sent. */
export interface ImageFile {
  size: number;
  /** Modification time, epoch ms. */
  mtimeMs: number;
  /** Opens the content; called only when the body is sent (not for HEAD or 304). */
  open(): Readable;
}

/** Read-only access to the catalog's image files. */
export interface ImageFiles {
  /**
   * The regular file at `relativePath` below the catalog root, or null for
   * anything else: missing, a directory, or any path that would leave the root
   * (`..`, absolute paths, NUL bytes, symlinks pointing outside).
   */
  find(relativePath: string): Promise<ImageFile | null>;
}
