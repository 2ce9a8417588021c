// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth for Node: get-port 7's API over berth's registry.
//
//   import getPort, {portNumbers, releasePort} from 'berth';   // ESM
//   const {getPort, portNumbers, releasePort} = require('berth'); // CommonJS
//
//   const port = await getPort();                        // any free port
//   const web = await getPort({port: [3000, 3001]});     // one of these first
//   const api = await getPort({port: portNumbers(4000, 4100), exclude: [4001]});
//   releasePort(web);                                    // give it back early
//
// Unlike get-port, a port is held: berth's registry records this process
// as its holder and the process holds the port's kernel lease lock (through
// the native addon berth.node), so no other process using berth, from any
// language, is given the port while this process lives, and it is free
// again the moment the process exits, however it exits (SIGKILL included).
//
// Differences from get-port 7, besides holding ports:
// - The fallback, when no preferred port is free, is a free port of
//   berth's range ($BERTH_RANGE, default 8800-8999), not one the OS picks
//   from its ephemeral range; berth never hands out ports below 1024, in
//   the ephemeral range or that browsers refuse, even when asked for.
// - `host` is accepted and not needed: berth checks every address, IPv4
//   and IPv6. `reserve` is accepted: every port is held until releasePort,
//   clearLockedPorts or the end of the process.
// - berth's own options: `app` (the name in `berth list`, default "node"),
//   `registry` (a registry directory, default $BERTH_HOME or the per-user
//   one) and `range` ([lo, hi]).
// - getPort works out its answer synchronously (one registry transaction,
//   about 0.2 ms) and returns a settled promise.

'use strict';

const path = require('node:path');

let addon;
function native() {
  if (addon === undefined) {
    const file = path.join(__dirname, 'berth.node');
    try {
      addon = require(file);
    } catch (error) {
      throw new Error(
        `berth: cannot load its native addon ${file} (${error.message}); ` +
          'install berth again: ./bazelw run //:install -- PREFIX',
      );
    }
  }
  return addon;
}

const minPort = 1024;
const maxPort = 65535;
const held = new Set();

function checkPort(value, what) {
  if (!Number.isInteger(value) || value < 0 || value > maxPort) {
    throw new TypeError(`berth: ${what} must be a port number 0-65535, not ${String(value)}`);
  }
  return value;
}

function preferred(port) {
  if (port === undefined || port === null) return [];
  if (typeof port === 'number') return [checkPort(port, '`port`')];
  if (typeof port[Symbol.iterator] !== 'function') {
    throw new TypeError('berth: the `port` option must be a number or an iterable of numbers');
  }
  return port;
}

function excluded(exclude) {
  if (exclude === undefined) return new Set();
  if (exclude === null || typeof exclude[Symbol.iterator] !== 'function') {
    throw new TypeError('The `exclude` option must be an iterable.');
  }
  for (const element of exclude) {
    if (typeof element !== 'number') {
      throw new TypeError(
        'Each item in the `exclude` option must be a number corresponding to the port you want excluded.',
      );
    }
    if (!Number.isSafeInteger(element)) {
      throw new TypeError(`Number ${element} in the exclude option is not a safe integer and can't be used`);
    }
  }
  return new Set(exclude);
}

function berthOptions(options) {
  const app = options.app ?? 'node';
  if (typeof app !== 'string' || app === '') {
    throw new TypeError('berth: the `app` option must be a non-empty string');
  }
  const registry = options.registry ?? '';
  if (typeof registry !== 'string') {
    throw new TypeError('berth: the `registry` option must be a directory name');
  }
  let lo = 0;
  let hi = 0;
  if (options.range !== undefined) {
    if (!Array.isArray(options.range) || options.range.length !== 2) {
      throw new TypeError('berth: the `range` option must be [lo, hi]');
    }
    [lo, hi] = options.range.map(p => checkPort(p, '`range`'));
  }
  return {app, registry, lo, hi};
}

// berthError: the addon's error as this package reports it.
function berthError(error) {
  if (error.code !== 'BERTH_EFAIL' && error.code !== 'BERTH_EINVAL') return error;
  const wrapped = new Error(`berth: ${error.message}`);
  wrapped.code = error.code;
  return wrapped;
}

// tryPort takes exactly `port` (a range of one), or returns 0 when berth
// cannot give it: held, busy, or a port berth never hands out.
function tryPort(o, port) {
  try {
    return native().acquire(o.app, port, port, port, o.registry);
  } catch (error) {
    if (error.code === 'BERTH_EFAIL') return 0;
    throw berthError(error);
  }
}

function getPortNow(given) {
  const options = given ?? {}; // get-port takes null as no options
  if (typeof options !== 'object') {
    throw new TypeError('berth: getPort takes an options object');
  }
  const exclude = excluded(options.exclude);
  const o = berthOptions(options);
  for (const candidate of preferred(options.port)) {
    checkPort(candidate, 'a preferred port');
    if (exclude.has(candidate)) continue;
    if (candidate === 0) break; // get-port: 0 means any port
    const port = tryPort(o, candidate);
    if (port !== 0) {
      held.add(port);
      return port;
    }
  }
  // Any port of the range. Excluded ones berth gives are held until a
  // good one comes, so it does not give them again.
  const skipped = [];
  try {
    for (;;) {
      let port;
      try {
        port = native().acquire(o.app, 0, o.lo, o.hi, o.registry);
      } catch (error) {
        if (error.code !== 'BERTH_EFAIL') throw berthError(error);
        const none = new Error(`No available ports found (berth: ${error.message})`);
        none.code = error.code;
        throw none;
      }
      if (!exclude.has(port)) {
        held.add(port);
        return port;
      }
      skipped.push(port);
    }
  } finally {
    for (const port of skipped) native().release(port);
  }
}

/**
 * getPort returns (a promise of) a TCP port held by this process until
 * releasePort(port) or the process ends. Options: `port` (a number or an
 * iterable of numbers to try first), `exclude` (an iterable of ports never
 * to return); berth's own `app`, `registry`, `range`.
 */
function getPort(options) {
  try {
    return Promise.resolve(getPortNow(options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** portNumbers(from, to) yields from, from + 1, ..., to (as get-port's). */
function portNumbers(from, to) {
  if (!Number.isInteger(from) || !Number.isInteger(to)) {
    throw new TypeError('`from` and `to` must be integer numbers');
  }
  if (from < minPort || from > maxPort) {
    throw new RangeError(`'from' must be between ${minPort} and ${maxPort}`);
  }
  if (to < minPort || to > maxPort) {
    throw new RangeError(`'to' must be between ${minPort} and ${maxPort}`);
  }
  if (from > to) {
    throw new RangeError('`to` must be greater than or equal to `from`');
  }
  return (function* () {
    for (let port = from; port <= to; port++) yield port;
  })();
}

/**
 * releasePort gives back a port getPort returned, at once; true if this
 * process held it. Other ports are left alone.
 */
function releasePort(port) {
  checkPort(port, 'releasePort: the port');
  if (!held.delete(port)) return false;
  return native().release(port);
}

/** clearLockedPorts gives back every port getPort returned (get-port's name). */
function clearLockedPorts() {
  for (const port of [...held]) releasePort(port);
}

/** version is the version of berth's library in use, e.g. "0.2.0". */
function version() {
  return native().version();
}

module.exports = {getPort, portNumbers, releasePort, clearLockedPorts, version};
module.exports.default = getPort;
