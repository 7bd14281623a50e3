#!/usr/bin/env node
import { main } from '../lambda/cli/main';
import { suppressSdkNodeVersionWarning } from '../lambda/cli/warnings';

// Before any AWS client exists: its Node version notice is noise on every run, also with --quiet.
suppressSdkNodeVersionWarning();

/** Longest the process lingers after the report for open handles to close. */
const EXIT_GRACE_MS = 10_000;

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  isTTY: process.stdout.isTTY,
}).then((code) => {
  process.exitCode = code;
  // Every gate stops its I/O at its deadline; should an adapter still hold a socket or a stream,
  // the process ends anyway soon after the report instead of hanging a CI job.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
});
