// The embedded database holds sealed relay passwords, sessions and every queued message: only
// the account running Relais may read it. The data directory is 0700 and the database files
// 0600. SQLite gives the WAL and shared-memory files it creates the mode of the database file,
// so creating that one 0600 is enough for new databases; files left readable by an older
// version are tightened, and the caller is told so it can say it.
import fs from 'node:fs';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** Files SQLite keeps beside the database. */
const COMPANIONS = ['', '-wal', '-shm', '-journal'];

/** Creates `dir` 0700 when missing; an existing one readable by others is set to 0700. Returns what was tightened. */
export function ensurePrivateDirectory(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    return [];
  }
  return tighten(dir, PRIVATE_DIR);
}

/**
 * Creates the database file 0600 when missing (an empty file is an empty SQLite database),
 * and sets 0600 on it and its WAL, shared-memory and journal files when others could read them.
 */
export function ensurePrivateDatabaseFiles(file: string): string[] {
  try {
    fs.closeSync(fs.openSync(file, 'wx', PRIVATE_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return COMPANIONS.flatMap((suffix) => tighten(`${file}${suffix}`, PRIVATE_FILE));
}

function tighten(target: string, mode: number): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const current = stat.mode & 0o777;
  if ((current & 0o077) === 0) return [];
  const octal = (m: number) => m.toString(8).padStart(4, '0');
  // A shared place (sticky like /tmp, or another account's) is only reported, never changed.
  if ((stat.mode & 0o1000) !== 0 || (process.getuid !== undefined && stat.uid !== process.getuid())) {
    return [`${target} is readable by other accounts (mode ${octal(current)}) and is not Relais's own to change; give Relais a private data dir`];
  }
  fs.chmodSync(target, mode);
  return [`${target} was readable by other accounts (mode ${octal(current)}); set to ${octal(mode)}`];
}
