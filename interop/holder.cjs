// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// holder.cjs APP [PORT]: a Node holder for one_registry_test. Takes a port
// with getPort({app, port}) from the package in $BERTH_NODE_PACKAGE, prints
// it, holds it until stdin closes, then releases it.

'use strict';

const {getPort, releasePort} = require(process.env.BERTH_NODE_PACKAGE);

const [app, want] = process.argv.slice(2);
getPort({app, port: want === undefined ? undefined : Number(want)}).then(port => {
  console.log(port);
  process.stdin.on('end', () => releasePort(port));
  process.stdin.resume();
});
