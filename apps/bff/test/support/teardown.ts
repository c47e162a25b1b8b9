/**
 * Runs every teardown step in order, even after one fails, so a failing BFF close still stops its
 * control plane and removes its data dir. Then it rethrows: the failure itself when one step
 * failed, an AggregateError listing every failure (in step order) when several did.
 */
export async function tearDown(steps: readonly (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1)
    throw new AggregateError(failures, `${failures.length} teardown steps failed; the first: ${describe(failures[0])}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
