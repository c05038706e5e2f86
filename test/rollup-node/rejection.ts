/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: unknown; data?: unknown; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: unknown; data?: unknown };
  }
  throw new Error("expected the promise to reject, but it resolved");
}
