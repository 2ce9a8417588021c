// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
// Types of berth for Node: get-port 7's API, plus releasePort and berth's
// own options.

export type Options = {
	/** A preferred port or an iterable of preferred ports, tried in order. */
	readonly port?: number | Iterable<number>;
	/** Ports never to return. */
	readonly exclude?: Iterable<number>;
	/** Accepted for get-port compatibility: every port is held anyway. */
	readonly reserve?: boolean;
	/** Accepted for get-port compatibility: berth checks every address. */
	readonly host?: string;
	/** The app name the registry records (default "node"). */
	readonly app?: string;
	/** The registry directory (default $BERTH_HOME, else the per-user one). */
	readonly registry?: string;
	/** The range to choose from when no preferred port is free. */
	readonly range?: readonly [number, number];
};

/** A TCP port held by this process until releasePort(port) or its end. */
export default function getPort(options?: Options): Promise<number>;
export function getPort(options?: Options): Promise<number>;

/** The port numbers from `from` to `to`, both included (1024-65535). */
export function portNumbers(from: number, to: number): Iterable<number>;

/** Gives a port getPort returned back now; true if this process held it. */
export function releasePort(port: number): boolean;

/** Gives back every port getPort returned. */
export function clearLockedPorts(): void;

/** The version of berth's library in use. */
export function version(): string;
