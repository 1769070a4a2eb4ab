/**
 * Waiting in tests for something that has no event to wait on (a file, a
 * log line, a bridge state): poll it.
 */

/**
 * Polls `check` every 10 ms until it holds; rejects after `ms` with
 * "timed out waiting <what>".
 *
 * @example await until(() => existsSync(pidFile), 5000, 'for the pid file')
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
  what = '',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting ${what}`.trim());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
