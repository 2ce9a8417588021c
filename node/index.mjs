// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth for Node, as an ES module: `import getPort, {portNumbers} from
// 'berth'`. The code is index.cjs's; both module systems share one table of
// held ports.

import berth from './index.cjs';

export const {getPort, portNumbers, releasePort, clearLockedPorts, version} = berth;
export default getPort;
