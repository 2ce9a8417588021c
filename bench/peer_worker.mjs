// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The Node peer's side of bench/compare: get-port.
//
//   node bench/peer_worker.mjs GET_PORT_INDEX_JS
//
// Driven over stdin/stdout like bench/compare_worker.cc: one command a line,
// fields separated by tabs, one answer line of numbers (or "error\tWHY").
//
//   getport N    N times `await getPort()`; answers NS per call

import {createInterface} from 'node:readline';
import {pathToFileURL} from 'node:url';

const {default: getPort} = await import(pathToFileURL(process.argv[2]).href);

async function timedGetPort(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await getPort();
    out.push(process.hrtime.bigint() - t0);
  }
  return out;
}

for await (const line of createInterface({input: process.stdin})) {
  const cmd = line.split('\t');
  try {
    if (cmd[0] !== 'getport') throw new Error(`unknown command: ${cmd.join(' ')}`);
    const answer = await timedGetPort(Number.parseInt(cmd[1], 10));
    process.stdout.write(answer.join(' ') + '\n');
  } catch (e) {
    process.stdout.write(`error\t${e.message}\n`);
  }
}
