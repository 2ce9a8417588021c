// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// A node --test reporter that writes JUnit XML, one <testcase> per
// top-level test, for Bazel's test.xml (and CI's count of cases). Node 18
// has no JUnit reporter of its own; custom reporters work from 18.15 on.
//
//   node --test --test-reporter=./junit_reporter.mjs \
//        --test-reporter-destination="$XML_OUTPUT_FILE" FILES...

const escape = s =>
  String(s).replace(/[<>&"]/g, c => ({'<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;'})[c]);

export default async function* junit(source) {
  const cases = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.nesting !== 0) continue;
    let body = '';
    if (event.type === 'test:fail') {
      const error = event.data.details?.error;
      body = `<failure message="${escape(error?.cause?.message ?? error?.message ?? 'failed')}"/>`;
    } else if (event.data.skip !== undefined || event.data.todo !== undefined) {
      body = `<skipped message="${escape(event.data.skip ?? event.data.todo)}"/>`;
    }
    cases.push(`<testcase name="${escape(event.data.name)}">${body}</testcase>`);
  }
  const failures = cases.filter(c => c.includes('<failure')).length;
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="node" tests="${cases.length}" failures="${failures}">\n`;
  yield cases.join('\n') + '\n</testsuite></testsuites>\n';
}
