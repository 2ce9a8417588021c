// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// bench/node_mechanism.mjs: how should berth's Node package hold a port?
// The measurements behind the choice of the native addon (bench/README.md,
// "How the Node package holds its ports"), repeatable:
//
//   ./bazelw run //:install -- /tmp/berth-prefix
//   node bench/node_mechanism.mjs /tmp/berth-prefix GET_PORT_INDEX_JS [ROUNDS]
//
// (bench/compare installs get-port into ~/.cache/berth-build/node.)
// Compares, on a registry on tmpfs:
//   addon     the package as shipped: berth.node holds a lease in-process
//   cli-sync  execFileSync(`berth get APP --owner PID`): a reservation by
//             PID identity, what a package without native code would do
//   cli-async the same with execFile (the event loop stays free)
//   get-port  get-port 7's getPort(), in the same process
// per call (median ns, ROUNDS rounds of 20 calls each, turns alternated),
// the cost of loading each (a fresh node requiring it, and the first
// call), and whole processes (node -e, one port, median wall time).

import {execFile, execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {promisify} from 'node:util';

const [prefix, getPortIndex, roundsArg] = process.argv.slice(2);
if (!prefix || !getPortIndex) {
  console.error('usage: node bench/node_mechanism.mjs PREFIX GET_PORT_INDEX_JS [ROUNDS]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 20);
const pkg = path.join(prefix, 'lib/node_modules/berth/index.cjs');
const berthBin = path.join(prefix, 'bin/berth');
const registry = mkdtempSync('/dev/shm/berth-node-bench-');
process.env.BERTH_HOME = registry;
process.env.BERTH_RANGE = '20000-21999';
process.on('exit', () => rmSync(registry, {recursive: true, force: true}));

const berth = createRequire(import.meta.url)(pkg);
const {default: getPortPeer} = await import(pathToFileURL(getPortIndex).href);
const execFileAsync = promisify(execFile);
const now = () => process.hrtime.bigint();
const median = xs => {
  const s = [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Number(s[Math.floor(s.length / 2)]);
};
const fmt = ns => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} us`);

let n = 0;
const perCall = {
  addon: async () => {
    const t0 = now();
    const port = await berth.getPort();
    const t = now() - t0;
    berth.releasePort(port);
    return t;
  },
  'cli-sync': async () => {
    const app = `cli-${n++}`;
    const t0 = now();
    const port = Number(execFileSync(berthBin, ['get', app, '--owner', String(process.pid)]));
    const t = now() - t0;
    execFileSync(berthBin, ['release', '--port', String(port)]);
    return t;
  },
  'cli-async': async () => {
    const app = `cli-${n++}`;
    const t0 = now();
    const {stdout} = await execFileAsync(berthBin, ['get', app, '--owner', String(process.pid)]);
    const t = now() - t0;
    execFileSync(berthBin, ['release', '--port', stdout.trim()]);
    return t;
  },
  'get-port': async () => {
    const t0 = now();
    await getPortPeer();
    return now() - t0;
  },
};

const samples = Object.fromEntries(Object.keys(perCall).map(k => [k, []]));
const kinds = Object.keys(perCall);
for (let r = 0; r < rounds + 1; r++) {
  const order = r % 2 ? [...kinds].reverse() : kinds;
  for (const kind of order) {
    for (let i = 0; i < 20; i++) {
      const t = await perCall[kind]();
      if (r > 0) samples[kind].push(t); // round 0 warms up
    }
  }
}

// Loading and whole processes: fresh nodes, the kinds taking turns.
function spawnNode(argv) {
  const t0 = now();
  const out = spawnSync(process.execPath, argv, {encoding: 'utf8'});
  const wall = now() - t0;
  if (out.status !== 0) throw new Error(`${argv.join(' ')}: ${out.stderr}`);
  return {wall, out: out.stdout};
}
const timedLoad = (load, call) => [
  '-e',
  `const t0 = process.hrtime.bigint(); ${load}; const t1 = process.hrtime.bigint();` +
    `Promise.resolve(${call}).then(() => { const t2 = process.hrtime.bigint();` +
    `console.log(String(t1 - t0), String(t2 - t1)); });`,
];
const esm = (from, call) => ['--input-type=module', '-e', `import getPort from ${JSON.stringify(from)}; console.log(await ${call});`];
const indexMjs = pathToFileURL(path.join(path.dirname(pkg), 'index.mjs')).href;
const getPortUrl = pathToFileURL(getPortIndex).href;
const owner = "String(process.pid)";
const cliGet = app =>
  `require('node:child_process').execFileSync(${JSON.stringify(berthBin)}, ['get', '${app}', '--owner', ${owner}])`;
const processes = {
  addon: {
    load: timedLoad(`const b = require(${JSON.stringify(pkg)})`, 'b.getPort()'),
    whole: esm(indexMjs, 'getPort()'),
  },
  'cli-sync': {
    load: timedLoad("require('node:child_process')", cliGet('load')),
    whole: ['-e', `console.log(String(${cliGet('whole')}))`],
  },
  'get-port': {
    load: timedLoad(`const g = import(${JSON.stringify(getPortUrl)})`, 'g.then(m => m.default())'),
    whole: esm(getPortUrl, 'getPort()'),
  },
};
const loads = {};
const whole = {};
for (const kind of Object.keys(processes)) {
  loads[kind] = [[], []];
  whole[kind] = [];
}
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? Object.keys(processes).reverse() : Object.keys(processes);
  for (const kind of order) {
    const [load, first] = spawnNode(processes[kind].load).out.trim().split(' ');
    loads[kind][0].push(BigInt(load));
    loads[kind][1].push(BigInt(first));
    whole[kind].push(spawnNode(processes[kind].whole).wall);
  }
}
for (const kind of Object.keys(processes)) {
  loads[kind] = loads[kind].map(median);
  whole[kind] = median(whole[kind]);
}

console.log(`node ${process.version}, registry on tmpfs, medians: ${rounds} rounds of 20 calls; ${rounds} processes`);
console.log('| mechanism | per call | load (require) | first call | whole `node -e` process |');
console.log('|---|---|---|---|---|');
for (const kind of kinds) {
  const [load, first] = loads[kind] ?? [undefined, undefined];
  console.log(
    `| ${kind} | ${fmt(median(samples[kind]))} | ${load === undefined ? '(as cli-sync)' : fmt(load)} | ` +
      `${first === undefined ? '(as cli-sync)' : fmt(first)} | ${whole[kind] === undefined ? '(as cli-sync)' : fmt(whole[kind])} |`,
  );
}
