/**
 * Waiting in tests for something that has no event to wait on (a file, a
 * log line, a bridge state): poll it.
 */

/**
 * Polls `check` every 10 ms until it holds; rejects after `ms` with
 * "timed out waiting <what>", followed by `detail()` when given (a log,
 * say, so that a rare failure can be read from the run that showed it).
 *
 * @example await until(() => existsSync(pidFile), 5000, 'for the pid file')
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
  what = '',
  detail?: () => string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const message = `timed out waiting ${what}`.trim();
      throw new Error(detail === undefined ? message : `${message}\n${detail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
