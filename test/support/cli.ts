import { main } from '../../lambda/cli/main';
import type { SecretResolver } from '../../lambda/core/secrets';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output and a chosen environment. */
export async function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; secrets?: SecretResolver } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    isTTY: false,
    secrets: opts.secrets,
  });
  return { code, stdout, stderr };
}
