import { access, constants, lstat, mkdir, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';

import { CvError } from '@tdhook/adapter-cv';

function reason(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ?? message ?? String(error);
}

function cannot(action: string, path: string, error: unknown, fix: string): CvError {
  return new CvError('E_CV_FILE', {
    what: `Cannot ${action} ${path} (${reason(error)})`,
    where: '--out',
    fix,
    cause: error,
  });
}

const folderFix = 'Give --out a folder you can write to (it is created if missing).';

/** An existing folder must take new files (write and search permission), or the run would fail late. */
async function checkWritable(path: string): Promise<void> {
  try {
    await access(path, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw cannot('write to the output folder', path, error, folderFix);
  }
}

/** What is at `path`, if it is a file (not a folder): an earlier run's output that commit replaces. */
async function isFile(path: string): Promise<boolean> {
  const found = await lstat(path).catch(() => undefined);
  return found !== undefined && !found.isDirectory();
}

/**
 * `mkdir -p`, one level at a time (Node's recursive mkdir spins forever under /proc); returns the first
 * folder it created, and removes what it created if a level fails.
 */
async function makeFolders(path: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (
    let folder = path;
    (await stat(folder).catch(() => undefined)) === undefined;
    folder = dirname(folder)
  ) {
    missing.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  const made: string[] = [];
  try {
    for (const folder of missing) {
      await mkdir(folder);
      made.unshift(folder);
    }
  } catch (error) {
    for (const folder of made) await rmdir(folder).catch(() => undefined);
    throw error;
  }
  return missing[0];
}

/** The file that stops a folder from being created at `path` (it, or a "folder" above it), if any. */
async function fileInTheWay(path: string): Promise<string | undefined> {
  for (let candidate = path; ; candidate = dirname(candidate)) {
    const found = await stat(candidate).catch(() => undefined);
    if (found !== undefined) return found.isDirectory() ? undefined : candidate;
    if (dirname(candidate) === candidate) return undefined;
  }
}

async function checkDestination(path: string): Promise<void> {
  let isFolder = false;
  try {
    isFolder = (await lstat(path)).isDirectory();
  } catch {
    return; // not there yet: the run creates it
  }
  if (isFolder) {
    throw new CvError('E_CV_FILE', {
      what: `${path} is a folder, and tdhook explain writes a file there`,
      where: '--out',
      fix: 'Move the folder away, or give --out another folder.',
    });
  }
  try {
    await access(path, constants.W_OK);
  } catch (error) {
    throw cannot('overwrite', path, error, 'Make the file writable, or give --out another folder.');
  }
}

/**
 * An output folder written all or nothing: files go to hidden temporary names as they are made and are
 * renamed into place by {@link OutputFolder.commit}, which puts everything back as it was if a rename fails;
 * {@link OutputFolder.abort} deletes them and removes the folders this run created (empty ones only), leaving
 * whatever was there before untouched.
 *
 * @example
 * const out = await OutputFolder.open('out', ['cat.ig.png', 'scores.json']);
 * try {
 *   await out.write('cat.ig.png', png);
 *   await out.commit();
 * } catch (error) {
 *   await out.abort();
 *   throw error;
 * }
 */
export class OutputFolder {
  readonly path: string;
  readonly #created: string | undefined;
  readonly #staged = new Map<string, string>();

  private constructor(path: string, created: string | undefined) {
    this.path = path;
    this.#created = created;
  }

  /**
   * Creates the folder (and missing parents), or checks that an existing one is writable, and checks that
   * none of `names` is a folder or a read-only file there, so that a run fails before its work, not after.
   */
  static async open(folder: string, names: readonly string[]): Promise<OutputFolder> {
    const path = resolve(folder);
    let created: string | undefined;
    try {
      created = await makeFolders(path);
    } catch (error) {
      const blocker = await fileInTheWay(path);
      throw blocker === undefined
        ? cannot('create the output folder', path, error, folderFix)
        : new CvError('E_CV_FILE', {
            what: `Cannot create the output folder ${path}: ${blocker} is a file`,
            where: '--out',
            fix: folderFix,
            cause: error,
          });
    }
    const output = new OutputFolder(path, created);
    try {
      if (created === undefined) await checkWritable(path);
      for (const name of names) await checkDestination(join(path, name));
    } catch (error) {
      await output.abort();
      throw error;
    }
    return output;
  }

  /** A hidden name in the folder, for `name` while this run writes it. */
  #hidden(name: string, kind: 'partial' | 'previous'): string {
    return join(this.path, `.${name}.${process.pid}.tdhook-${kind}`);
  }

  /** Writes `name` under its temporary name; it appears under `name` at commit. */
  async write(name: string, bytes: Uint8Array | string): Promise<void> {
    const final = join(this.path, name);
    const staged = this.#hidden(name, 'partial');
    this.#staged.set(final, staged);
    try {
      await writeFile(staged, bytes);
    } catch (error) {
      throw cannot('write', final, error, 'Check that the output folder is writable and has space left.');
    }
  }

  /**
   * Renames every written file into place. Files it replaces are kept aside until all are in place: if a
   * rename fails, the files already renamed are taken out again and the ones they replaced restored, and
   * the rest stays staged for {@link OutputFolder.abort}.
   */
  async commit(): Promise<void> {
    const done: { final: string; staged: string; previous: string | undefined }[] = [];
    try {
      for (const [final, staged] of this.#staged) {
        const previous = (await isFile(final))
          ? this.#hidden(relative(this.path, final), 'previous')
          : undefined;
        if (previous !== undefined) await rename(final, previous);
        try {
          await rename(staged, final);
        } catch (error) {
          if (previous !== undefined) await rename(previous, final).catch(() => undefined);
          throw error;
        }
        done.push({ final, staged, previous });
      }
    } catch (error) {
      // Back to before the commit: the new files staged again, the replaced ones in place.
      for (const { final, staged, previous } of done.reverse()) {
        await rename(final, staged).catch(() => unlink(final).catch(() => undefined));
        if (previous !== undefined) await rename(previous, final).catch(() => undefined);
      }
      const failed = [...this.#staged.keys()][done.length] ?? this.path;
      throw cannot('write', failed, error, 'Check that the output folder is writable.');
    }
    this.#staged.clear();
    for (const { previous } of done)
      if (previous !== undefined) await unlink(previous).catch(() => undefined);
  }

  /** Deletes what was written and not committed, and the folders this run created if they are empty. */
  async abort(): Promise<void> {
    for (const staged of this.#staged.values()) await unlink(staged).catch(() => undefined);
    this.#staged.clear();
    if (this.#created === undefined) return;
    // From the output folder up to the first folder mkdir created.
    const depth = relative(this.#created, this.path).split(/[\\/]/).filter(Boolean).length;
    let folder = this.path;
    for (let level = 0; level <= depth; level++, folder = dirname(folder)) {
      try {
        await rmdir(folder);
      } catch {
        return; // not empty: something else is in it
      }
    }
  }
}
