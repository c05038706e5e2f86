import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { runTask } from "../support/runTask";

/**
 * The trial of 29 Nov: a hand-edited `--verification-keys` file with a trailing comma was refused
 * at "position N" of the text; it is now placed by line and column, like a genesis file, before
 * anything is sent.
 */
describe("rollup:deploy --verification-keys: a file that is not JSON is placed by line and column", function () {
  this.timeout(300_000);
  let l1: L1Devnet;
  let dir: string;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, chainId: 31_337n });
    dir = mkdtempSync(path.join(tmpdir(), "verification-keys-file-"));
  });

  after(async () => {
    await l1?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a trailing comma after the last key: line, column and the text there, nothing deployed", async () => {
    const keys = path.join(dir, "keys.json");
    writeFileSync(keys, `[\n  "0x${"ab".repeat(64)}",\n]\n`);
    const out = path.join(dir, "deployment.json");
    const error = await runTask("rollup:deploy", {
      l1Rpc: l1.url as string,
      dev: true,
      sequencer: "0x000000000000000000000000000000000000dEaD",
      verificationKeys: keys,
      threshold: 1,
      out,
    }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string; hint?: string },
    );
    expect(error?.code).to.equal("BAD_VERIFICATION_KEYS");
    // The line above, shortened to its last 40 characters: a key is 130 hex digits or more.
    const above = `"0x${"ab".repeat(64)}",`.slice(-40);
    expect(error?.message.split("\n")[0]).to.equal(
      `${keys} is not JSON: line 3, column 1 (at: …${above} ⏎ ]): Unexpected token ']'`,
    );
    expect(error?.hint).to.include("rollup:verification-keys");
    expect(existsSync(out), "a deployment record was written").to.equal(false);
  });
});
