// The caller's directories and files in a snapshot (files/<label>/), copied in and back out.
//
// A tutorial's working directory holds Terraform's providers (.terraform/providers/…, hundreds of
// MiB): regular files of 1 MiB or more are hard-linked rather than copied (a provider binary is
// never written in place, it is replaced), smaller ones copied; symlinks stay symlinks (with the
// target they had). A hard link that cannot be made (another file system) falls back to a copy.

import { copyFile, link, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** Regular files at least this large are hard-linked. */
export const LINK_THRESHOLD = 1024 * 1024

/** Copies `src` (a directory or a file) to `dest`, replacing whatever `dest` was. */
export async function copyEntry(src: string, dest: string): Promise<void> {
  await rm(dest, { recursive: true, force: true })
  await mkdir(dirname(dest), { recursive: true })
  await copyInto(src, dest)
}

async function copyInto(src: string, dest: string): Promise<void> {
  const stat = await lstat(src)
  if (stat.isSymbolicLink()) return symlink(await readlink(src), dest)
  if (stat.isDirectory()) {
    await mkdir(dest, { recursive: true, mode: stat.mode & 0o7777 })
    for (const entry of await readdir(src)) await copyInto(join(src, entry), join(dest, entry))
    return
  }
  if (!stat.isFile()) return // sockets, fifos: nothing a snapshot can keep
  if (stat.size >= LINK_THRESHOLD) {
    try {
      return await link(src, dest)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
    }
  }
  await copyFile(src, dest)
}
