/**
 * Runs every teardown step in order, even after one fails, so a failing BFF close still stops its
 * control plane and removes its data dir; then rethrows the first failure, the one to look at.
 */
export async function tearDown(steps: readonly (() => unknown)[]): Promise<void> {
  let first: { error: unknown } | undefined;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      first ??= { error };
    }
  }
  if (first) throw first.error;
}
