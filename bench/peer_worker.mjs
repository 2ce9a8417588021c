// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The Node peer's side of bench/compare: get-port, and berth's Node package
// in the same process.
//
//   node bench/peer_worker.mjs GET_PORT_INDEX_JS [BERTH_INDEX_MJS]
//
// Driven over stdin/stdout like bench/compare_worker.cc: one command a line,
// fields separated by tabs, one answer line of numbers (or "error\tWHY").
//
//   getport N        N times `await getPort()` (get-port); NS per call
//   berth_getport N  N times `await getPort()` (berth; its registry in
//                    $BERTH_HOME, its range in $BERTH_RANGE), each port
//                    given back with releasePort after the clock stops;
//                    NS per call

import {createInterface} from 'node:readline';
import {pathToFileURL} from 'node:url';

const {default: getPort} = await import(pathToFileURL(process.argv[2]).href);
const berth = process.argv[3] ? await import(pathToFileURL(process.argv[3]).href) : undefined;

async function timed(n, get, giveBack) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const port = await get();
    out.push(process.hrtime.bigint() - t0);
    giveBack(port);
  }
  return out;
}

for await (const line of createInterface({input: process.stdin})) {
  const cmd = line.split('\t');
  try {
    const n = Number.parseInt(cmd[1], 10);
    let answer;
    if (cmd[0] === 'getport') {
      answer = await timed(n, getPort, () => {});
    } else if (cmd[0] === 'berth_getport' && berth) {
      answer = await timed(n, berth.getPort, berth.releasePort);
    } else {
      throw new Error(`unknown command: ${cmd.join(' ')}`);
    }
    process.stdout.write(answer.join(' ') + '\n');
  } catch (e) {
    process.stdout.write(`error\t${e.message}\n`);
  }
}
