#!/usr/bin/env node
// Entry point of the `relais` command: loads the TypeScript sources through tsx, on a supported
// Node.js. Started by an older `node`, it runs itself again on the runtime the project brings
// (node_modules/node-<platform>-<arch>), or stops with one line saying why.
import { reexec, runtimeForRelais, unsupportedMessage } from './runtime.mjs';

const node = runtimeForRelais();
if (node === undefined) {
  console.error(unsupportedMessage());
  process.exit(1);
} else if (node !== process.execPath) {
  reexec(node);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  await main(process.argv);
}
