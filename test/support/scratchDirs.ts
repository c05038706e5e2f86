import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Temporary folders for the tests of the suite it is called in, removed when that suite ends:
 * `npm test` runs on a developer's machine again and again, and every run left its folders in the
 * system's temporary directory. Call it in a `describe` body; the function it returns makes a
 * folder whose name starts with `prefix`.
 */
export function scratchDirs(): (prefix: string) => string {
  const made: string[] = [];
  after(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
