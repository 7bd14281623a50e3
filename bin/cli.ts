#!/usr/bin/env node
import { main } from '../lambda/cli/main';

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  isTTY: process.stdout.isTTY,
}).then((code) => {
  process.exitCode = code;
});
