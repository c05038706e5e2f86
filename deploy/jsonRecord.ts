// The JSON records `rollup:deploy` keeps (deployment.json, its `.partial`): bigints are written
// as decimal strings and read back for the fields that hold them.
import { readFile, writeFile } from "node:fs/promises";

/** Writes `value` as indented JSON, bigints as decimal strings. */
export async function writeJsonRecord(file: string, value: unknown): Promise<void> {
  await writeFile(
    file,
    `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
}

/**
 * Reads a record written by `writeJsonRecord`, turning the `bigintFields` back into bigints;
 * undefined when the file does not exist, `invalid(reason)` when it is not JSON.
 */
export async function readJsonRecord<T>(
  file: string,
  bigintFields: ReadonlySet<string>,
  invalid: (reason: string) => Error,
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return JSON.parse(text, (key, v: unknown) => (bigintFields.has(key) && typeof v === "string" ? BigInt(v) : v)) as T;
  } catch (error) {
    throw invalid((error as Error).message);
  }
}
