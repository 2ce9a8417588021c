// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth for Node: get-port 7's API, ports held by the process (also against
// other processes), given back on releasePort and on any exit, SIGKILL
// included. Run by node/run_node_test.sh, which sets BERTH_NODE_PACKAGE
// (the package laid out as installed), BERTH_BIN (the berth command),
// BERTH_HOME (a registry of its own) and BERTH_RANGE.

import assert from 'node:assert/strict';
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {pathToFileURL} from 'node:url';
import {Worker} from 'node:worker_threads';

const pkg = process.env.BERTH_NODE_PACKAGE;
assert.ok(pkg, 'BERTH_NODE_PACKAGE is not set: run me with node/run_node_test.sh');
const berth = await import(pathToFileURL(path.join(pkg, 'index.mjs')).href);
const {default: getPort, portNumbers, releasePort, clearLockedPorts} = berth;
const [lo, hi] = process.env.BERTH_RANGE.split('-').map(Number);
const scratch = mkdtempSync(path.join(process.env.TEST_TMPDIR ?? tmpdir(), 'node-'));

// Entries of the registry, from the berth command.
function entries() {
  return JSON.parse(execFileSync(process.env.BERTH_BIN, ['list', '--json'], {encoding: 'utf8'}));
}

// A node child that requires the package and runs `body` (CommonJS, with
// `berth` in scope); resolves to the child and its first line of output.
function child(body) {
  const script = `const berth = require(${JSON.stringify(path.join(pkg, 'index.cjs'))});\n${body}`;
  const proc = spawn(process.execPath, ['-e', script], {stdio: ['pipe', 'pipe', 'inherit']});
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', d => {
      out += d;
      if (out.includes('\n')) resolve({proc, line: out.split('\n')[0]});
    });
    proc.on('exit', code => reject(new Error(`child exited (${code}) before answering: ${out}`)));
  });
}

function exited(proc) {
  return new Promise(resolve => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.on('exit', () => resolve());
  });
}

// Whether another process asking for exactly `port` gets it now.
function otherProcessGets(port) {
  const script =
    `const b = require(${JSON.stringify(path.join(pkg, 'index.cjs'))});` +
    `b.getPort({port: ${port}}).then(p => console.log(p === ${port} ? 'yes' : 'no'));`;
  const out = spawnSync(process.execPath, ['-e', script], {encoding: 'utf8'});
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.trim() === 'yes';
}

test('the ESM and CommonJS entry points export the same functions', async () => {
  assert.equal(typeof getPort, 'function');
  assert.equal(berth.getPort, getPort);
  const cjs = (await import('node:module')).createRequire(import.meta.url)(path.join(pkg, 'index.cjs'));
  assert.equal(cjs.getPort, getPort);
  assert.equal(cjs.default, getPort);
  assert.equal(cjs.portNumbers, portNumbers);
  assert.equal(cjs.releasePort, releasePort);
});

test("a bare import('berth') and require('berth') resolve through package.json exports", () => {
  const project = path.join(path.dirname(path.dirname(pkg)), 'project');
  mkdirSync(project, {recursive: true});
  writeFileSync(
    path.join(project, 'esm.mjs'),
    "import getPort, {portNumbers} from 'berth';\n" +
      "import {createRequire} from 'node:module';\n" +
      "const {getPort: g} = createRequire(import.meta.url)('berth');\n" +
      'console.log(getPort === g, typeof portNumbers, await getPort());\n',
  );
  const out = execFileSync(process.execPath, [path.join(project, 'esm.mjs')], {encoding: 'utf8'});
  const [same, kind, port] = out.trim().split(' ');
  assert.equal(same, 'true');
  assert.equal(kind, 'function');
  assert.ok(Number(port) >= lo && Number(port) <= hi, out);
});

test('version() is the version in package.json', async () => {
  const {readFileSync} = await import('node:fs');
  const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  assert.equal(berth.version(), manifest.version);
});

test('getPort gives distinct ports of the range, recorded as held by this process', async () => {
  const a = await getPort();
  const b = await getPort();
  try {
    assert.notEqual(a, b);
    for (const port of [a, b]) assert.ok(port >= lo && port <= hi, `${port} not in ${lo}-${hi}`);
    const mine = entries().filter(e => e.pid === process.pid && e.state === 'live');
    assert.deepEqual(mine.map(e => e.port).sort(), [a, b].sort());
    assert.ok(mine.every(e => e.app === 'node'));
  } finally {
    releasePort(a);
    releasePort(b);
  }
});

test('a held port is not given to another process; after releasePort it is', async () => {
  const port = await getPort();
  assert.equal(otherProcessGets(port), false);
  assert.equal(releasePort(port), true);
  assert.equal(releasePort(port), false, 'a second releasePort has nothing to give back');
  assert.equal(otherProcessGets(port), true);
});

test('releasePort leaves ports it did not hand out alone', async () => {
  const {proc, line} = await child('berth.getPort().then(p => console.log(p)); process.stdin.resume();');
  const theirs = Number(line);
  try {
    assert.equal(releasePort(theirs), false);
    assert.ok(entries().some(e => e.port === theirs && e.pid === proc.pid && e.state === 'live'));
  } finally {
    proc.stdin.end();
    await exited(proc);
  }
});

test('the preferred port is given when free, the next preferred when it is held', async () => {
  const first = await getPort();
  releasePort(first);
  assert.equal(await getPort({port: first}), first);
  const second = first === hi ? lo : first + 1;
  const got = await getPort({port: [first, second]});
  assert.equal(got, second, 'first is held by this process');
  const fallback = await getPort({port: first});
  assert.ok(fallback !== first && fallback !== second, 'neither: any free port');
  clearLockedPorts();
  assert.equal(otherProcessGets(first), true);
  assert.equal(otherProcessGets(second), true);
});

test('a preferred port berth never hands out falls back to one of the range', async () => {
  const port = await getPort({port: 40000}); // in the ephemeral range
  try {
    assert.ok(port >= lo && port <= hi, String(port));
  } finally {
    releasePort(port);
  }
});

test('portNumbers yields the range, and works as the port option', async () => {
  assert.deepEqual([...portNumbers(3000, 3003)], [3000, 3001, 3002, 3003]);
  const port = await getPort({port: portNumbers(lo + 10, lo + 20)});
  try {
    assert.ok(port >= lo + 10 && port <= lo + 20, String(port));
  } finally {
    releasePort(port);
  }
});

test('excluded ports are never returned, and are not left held', async () => {
  const exclude = [...portNumbers(lo, lo + 49)];
  const port = await getPort({exclude, port: [lo, lo + 1]});
  try {
    assert.ok(port > lo + 49, String(port));
    assert.equal(otherProcessGets(lo), true, 'berth gave excluded ports and let them go');
  } finally {
    releasePort(port);
  }
});

test('berth options: app and range', async () => {
  const port = await getPort({app: 'node-web', range: [hi - 5, hi]});
  try {
    assert.ok(port >= hi - 5 && port <= hi, String(port));
    assert.ok(entries().some(e => e.port === port && e.app === 'node-web'));
  } finally {
    releasePort(port);
  }
});

test('no free port: getPort rejects with "No available ports found"', async () => {
  const port = await getPort({range: [hi, hi]});
  try {
    await assert.rejects(getPort({range: [hi, hi]}), /^Error: No available ports found \(berth: .*no free port/);
  } finally {
    releasePort(port);
  }
});

test('bad input: one clear error each', async () => {
  await assert.rejects(getPort({port: 'x'}), TypeError);
  await assert.rejects(getPort({port: 70000}), /port number 0-65535/);
  await assert.rejects(getPort({port: [1.5]}), TypeError);
  await assert.rejects(getPort({exclude: 5}), /The `exclude` option must be an iterable/);
  await assert.rejects(getPort({exclude: ['1']}), /must be a number/);
  await assert.rejects(getPort({app: ''}), /`app` option/);
  await assert.rejects(getPort({app: 'a\u0001b'}), /^Error: berth: .*control/);
  await assert.rejects(getPort({app: 'a\u0000b'}), /^Error: berth: .*NUL/);
  await assert.rejects(getPort({range: [10, 5]}), /^Error: berth: /);
  await assert.rejects(getPort('3000'), /options object/);
  assert.throws(() => portNumbers(1.5, 2000), TypeError);
  assert.throws(() => portNumbers(80, 2000), RangeError);
  assert.throws(() => portNumbers(3000, 70000), RangeError);
  assert.throws(() => portNumbers(3001, 3000), RangeError);
  assert.throws(() => releasePort(-1), TypeError);
  const port = await getPort(null); // get-port takes null as no options
  releasePort(port);
});

for (const [how, body, end] of [
  ['SIGKILL', 'process.stdin.resume();', proc => proc.kill('SIGKILL')],
  ['a normal exit', 'process.stdin.on("end", () => process.exit(0)); process.stdin.resume();', proc => proc.stdin.end()],
  ['an uncaught exception', 'process.stdin.on("end", () => { throw new Error("boom"); }); process.stdin.resume();', proc => proc.stdin.end()],
]) {
  test(`a port is free again after its holder ends by ${how}`, async () => {
    const {proc, line} = await child(`berth.getPort().then(p => console.log(p)); ${body}`);
    const port = Number(line);
    assert.ok(port >= lo && port <= hi, line);
    assert.equal(otherProcessGets(port), false, 'held while the child lives');
    end(proc);
    await exited(proc);
    assert.equal(otherProcessGets(port), true);
  });
}

test('getPort works in a worker thread; the port is the process\'s', async () => {
  const worker = new Worker(
    `const {parentPort} = require('node:worker_threads');
     require(${JSON.stringify(path.join(pkg, 'index.cjs'))}).getPort().then(p => parentPort.postMessage(p));`,
    {eval: true},
  );
  const port = await new Promise((resolve, reject) => {
    worker.on('message', resolve);
    worker.on('error', reject);
  });
  await worker.terminate();
  assert.ok(entries().some(e => e.port === port && e.pid === process.pid && e.state === 'live'));
  assert.equal(otherProcessGets(port), false, 'the worker ended, the process still holds it');
});

test('a package without its addon says what is missing', () => {
  const broken = path.join(scratch, 'broken');
  mkdirSync(broken, {recursive: true});
  for (const f of ['package.json', 'index.cjs', 'index.mjs']) copyFileSync(path.join(pkg, f), path.join(broken, f));
  const out = spawnSync(
    process.execPath,
    ['-e', `require(${JSON.stringify(path.join(broken, 'index.cjs'))}).getPort().catch(e => { console.error(e.message); process.exit(3); })`],
    {encoding: 'utf8'},
  );
  assert.equal(out.status, 3);
  assert.match(out.stderr, /^berth: cannot load its native addon .*berth\.node/);
});
